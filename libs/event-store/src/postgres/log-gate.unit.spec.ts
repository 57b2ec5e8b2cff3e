import { fullTransactionId } from './log-gate';

describe('fullTransactionId (32-bit ids from pg_locks to the 64-bit order of the log)', () => {
  it('places an id below xmax in the same epoch', () => {
    expect(fullTransactionId(800n, 779n)).toBe(779n);
  });

  it('places an id handed out after the snapshot above xmax, never far below it', () => {
    expect(fullTransactionId(762n, 766n)).toBe(766n);
  });

  it('crosses the 32-bit wraparound both ways', () => {
    const epoch2 = 2n * 2n ** 32n;
    expect(fullTransactionId(epoch2 + 5n, 2n ** 32n - 10n)).toBe(epoch2 - 10n);
    expect(fullTransactionId(epoch2 - 3n, 4n)).toBe(epoch2 + 4n);
  });
});
