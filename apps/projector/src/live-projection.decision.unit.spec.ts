import { decideLiveProjection } from './live-projection.decision';

describe('decideLiveProjection', () => {
  it('stands down while another copy holds the replay lock, leaving its replay alone', () => {
    expect(decideLiveProjection({ replayHere: false, replayLockFree: false })).toEqual({
      project: false,
      failAbandonedReplays: false,
    });
  });

  it('projects when no replay runs, and fails the replays whose copy stopped', () => {
    expect(decideLiveProjection({ replayHere: false, replayLockFree: true })).toEqual({
      project: true,
      failAbandonedReplays: true,
    });
  });

  it('keeps projecting on the copy that runs the replay (it pauses itself for the swap)', () => {
    expect(decideLiveProjection({ replayHere: true, replayLockFree: false })).toEqual({
      project: true,
      failAbandonedReplays: false,
    });
  });
});
