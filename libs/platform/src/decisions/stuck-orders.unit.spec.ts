import { stuckVerdict, type OpenOrder } from './stuck-orders';

const NOW = new Date('2030-01-02T12:00:00Z');
const HOUR = 3_600_000;
const LEVELS = { 1: HOUR, 2: 24 * HOUR, 3: 4 * HOUR, 5: 48 * HOUR, 7: 4 * HOUR, 8: 24 * HOUR };
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * HOUR).toISOString();

function order(stateCode: number, inStateHours: number, more: Partial<OpenOrder> = {}): OpenOrder {
  return {
    orderId: 'o-1',
    provisioningStateCode: stateCode,
    fulfillment: 'automatic',
    connectionId: 'hr_app',
    updatedAt: hoursAgo(inStateHours),
    ...more,
  };
}

describe('stuck orders', () => {
  it('given an order within its service level, then it is not stuck', () => {
    expect(stuckVerdict(order(5, 47), NOW, LEVELS)).toBeUndefined();
    expect(stuckVerdict(order(5, 48), NOW, LEVELS)).toBeUndefined();
  });

  it('given an order past it, then it says how long and how far past', () => {
    expect(stuckVerdict(order(5, 50), NOW, LEVELS)).toEqual({
      reason: 'waiting-for-review',
      why: expect.stringContaining('review'),
      inStateMs: 50 * HOUR,
      overdueMs: 2 * HOUR,
      serviceLevelMs: 48 * HOUR,
    });
  });

  it.each([
    [2, {}, 'waiting-for-operator'],
    [1, { fulfillment: 'manual' }, 'waiting-for-operator'],
    [1, {}, 'unreachable-connection'],
    [3, { lastError: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'unreachable-connection'],
    [3, { lastError: 'duplicate key value violates unique constraint' }, 'waiting-for-retry'],
    [8, {}, 'waiting-for-verification'],
    [7, { lastError: 'rule failed' }, 'role-model-error'],
  ])('given state %i (%j) past its level, then the reason is %s', (code, more, reason) => {
    expect(stuckVerdict(order(code, 100, more as Partial<OpenOrder>), NOW, LEVELS)?.reason).toBe(reason);
  });

  it('given a postponed review, then it counts from the end of the postponement', () => {
    expect(stuckVerdict(order(5, 100, { postponedUntil: hoursAgo(10) }), NOW, LEVELS)).toBeUndefined();
    expect(stuckVerdict(order(5, 100, { postponedUntil: hoursAgo(49) }), NOW, LEVELS)?.overdueMs).toBe(HOUR);
  });

  it('given a state without a service level (a terminal one), then it is never stuck', () => {
    expect(stuckVerdict(order(4, 1000), NOW, LEVELS)).toBeUndefined();
  });
});
