import { CachedProbe, check, readinessOf } from './readiness';

describe('readiness', () => {
  it('is ready only with every dependency up and not draining', () => {
    const up = { status: 'up' } as const;
    const down = { status: 'down', error: 'connection refused' } as const;
    expect(readinessOf({ nats: up, database: up }, false)).toMatchObject({ ready: true, status: 'ok' });
    expect(readinessOf({ nats: up, database: down }, false)).toMatchObject({
      ready: false,
      status: 'degraded',
    });
    expect(readinessOf({ nats: up, database: up }, true)).toMatchObject({ ready: false, status: 'draining' });
  });

  it("shows an agent's open breaker without making the agent unready (the target is down, not the agent)", () => {
    const open = {
      connectionId: 'corp_ldap',
      state: 'open',
      reason: 'connect ECONNREFUSED',
      since: '2026-01-01T00:00:00.000Z',
      heldOrders: 3,
    } as const;
    expect(readinessOf({ nats: { status: 'up' } }, false, [open])).toEqual({
      ready: true,
      status: 'ok',
      checks: { nats: { status: 'up' } },
      breakers: [open],
    });
  });

  it('asks the dependencies at most once per ttl, and callers during a probe share it', async () => {
    let now = 0;
    let calls = 0;
    const probe = new CachedProbe(
      async () => ++calls,
      1000,
      () => now,
    );
    expect(await Promise.all([probe.get(), probe.get(), probe.get()])).toEqual([1, 1, 1]);
    now = 999;
    expect(await probe.get()).toBe(1);
    now = 1000;
    expect(await probe.get()).toBe(2);
    expect(calls).toBe(2);
  });

  it('turns a failure or a hang into down with the reason', async () => {
    expect(await check(() => Promise.reject(new Error('ECONNREFUSED')))).toEqual({
      status: 'down',
      error: 'ECONNREFUSED',
    });
    expect(await check(() => new Promise(() => undefined), 20)).toEqual({
      status: 'down',
      error: 'no answer within 20 ms',
    });
    expect(await check(() => Promise.resolve())).toEqual({ status: 'up' });
  });
});
