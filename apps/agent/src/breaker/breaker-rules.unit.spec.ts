import { PermanentConnectorError, TransientConnectorError } from '@prov/connectors';
import {
  afterCountedFailure,
  breakerGaugeValue,
  countsAgainstTarget,
  drainSlot,
  holdDelayMs,
} from './breaker-rules';

describe('circuit breaker rules', () => {
  it('counts the target being unreachable or failing, not business errors nor writers racing', () => {
    expect(
      countsAgainstTarget(
        new TransientConnectorError('connect ECONNREFUSED 127.0.0.1:389', { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
    expect(countsAgainstTarget(new TransientConnectorError('busy (LDAP result 51)', { code: '51' }))).toBe(
      true,
    );
    expect(
      countsAgainstTarget(
        new PermanentConnectorError('Already exists (entryAlreadyExists, LDAP result 68)', { code: '68' }),
      ),
    ).toBe(false);
    expect(
      countsAgainstTarget(new TransientConnectorError('could not serialize access', { code: '40001' })),
    ).toBe(false);
    expect(countsAgainstTarget(new TransientConnectorError('deadlock detected', { code: '40P01' }))).toBe(
      false,
    );
    expect(countsAgainstTarget(new Error('ECONNREFUSED'))).toBe(false);
  });

  it('leaves a single failure to JetStream and holds the order once the breaker is open', () => {
    expect(afterCountedFailure('closed')).toBe('redeliver');
    expect(afterCountedFailure('open')).toBe('hold');
    expect(afterCountedFailure('half-open')).toBe('hold');
  });

  it('holds an order until the open period ends, looking again at least every poll', () => {
    expect(holdDelayMs(1000, 30_000, 2000, 1000)).toBe(1000);
    expect(holdDelayMs(1000, 30_000, 30_600, 1000)).toBe(400);
    // Past the period: ask again almost at once (this order may become the probe).
    expect(holdDelayMs(1000, 30_000, 40_000, 1000)).toBe(10);
    expect(holdDelayMs(undefined, 30_000, 40_000, 1000)).toBe(1000);
  });

  it('spaces order starts while the backlog drains, and only during the drain period', () => {
    const settings = { drainPerSecond: 10, drainMs: 5000 };
    expect(drainSlot(settings, undefined, 1000, 1001)).toBe(1001);
    expect(drainSlot(settings, 0, 1000, 1000)).toBe(1100);
    expect(drainSlot(settings, 0, 1100, 1000)).toBe(1200);
    expect(drainSlot(settings, 0, 1000, 1300)).toBe(1300);
    expect(drainSlot(settings, 0, 5000, 5001)).toBe(5001);
  });

  it('exports closed, half-open and open as 0, 1 and 2', () => {
    expect([breakerGaugeValue('closed'), breakerGaugeValue('half-open'), breakerGaugeValue('open')]).toEqual([
      0, 1, 2,
    ]);
  });
});
