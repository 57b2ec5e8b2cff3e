import { parseChange } from './read-model-changes';

describe("the projector's change notifications", () => {
  it('reads a notification naming one stream', () => {
    expect(
      parseChange(
        JSON.stringify({ schema: 'rm', streamName: 'assignment-a1', type: 'ProvisioningOrderExecuted' }),
      ),
    ).toEqual({
      schema: 'rm',
      streamNames: ['assignment-a1'],
      type: 'ProvisioningOrderExecuted',
      truncated: false,
    });
  });

  it('reads a batch, and says when it lists fewer streams than changed', () => {
    const payload = {
      schema: 'rm',
      streamNames: ['job-j1', 'sync-hr_app'],
      streamName: 'job-j1',
      type: 'JobCompleted',
      count: 2,
    };
    expect(parseChange(JSON.stringify(payload))).toMatchObject({
      streamNames: ['job-j1', 'sync-hr_app'],
      truncated: false,
    });
    expect(parseChange(JSON.stringify({ ...payload, count: 80 }))).toMatchObject({ truncated: true });
  });

  it('treats a payload without streams as "everything may have changed", and ignores garbage', () => {
    expect(parseChange('{}')).toMatchObject({ schema: 'rm', streamNames: [], truncated: true });
    expect(parseChange('not json')).toBeUndefined();
    expect(parseChange(undefined)).toBeUndefined();
  });
});
