import { admitOrder, afterTransientFailure, DEFAULT_BREAKER_SETTINGS, drainDelayMs } from './breaker-policy';

describe('circuit breaker policy', () => {
  it('applies orders while the breaker is closed, lets one probe when half-open, holds them while open', () => {
    expect(admitOrder('closed')).toBe('apply');
    expect(admitOrder('open')).toBe('hold');
    expect(admitOrder('half-open')).toBe('probe');
  });

  it('holds an order whose failure opened the breaker instead of burning a delivery', () => {
    expect(afterTransientFailure('open')).toBe('hold');
    expect(afterTransientFailure('half-open')).toBe('hold');
    expect(afterTransientFailure('closed')).toBe('redeliver');
  });

  it('spaces order starts while the backlog drains, and only for the drain period', () => {
    const settings = { ...DEFAULT_BREAKER_SETTINGS, drainPerSecond: 10, drainMs: 5000 };
    expect(drainDelayMs(settings, undefined, 1000, 1001)).toBe(0);
    expect(drainDelayMs(settings, 0, 1000, 1000)).toBe(100);
    expect(drainDelayMs(settings, 0, 1000, 1060)).toBe(40);
    expect(drainDelayMs(settings, 0, 1000, 1200)).toBe(0);
    expect(drainDelayMs(settings, 0, 5000, 5001)).toBe(0);
  });
});
