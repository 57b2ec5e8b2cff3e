import { PermanentConnectorError, TransientConnectorError } from '@prov/connectors';
import { ConnectionBreakers } from './connection-breakers';

const refused = () =>
  new TransientConnectorError('connect ECONNREFUSED 127.0.0.1:389', { code: 'ECONNREFUSED' });

/** Waits for a condition, bounded (no fixed sleeps). */
async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('ConnectionBreakers', () => {
  const settings = { failuresToOpen: 2, halfOpenAfterMs: 100, drainPerSecond: 1000, drainMs: 0 };

  it('redelivers single failures, then holds orders while open and completes them after a probe succeeds', async () => {
    const breakers = new ConnectionBreakers(settings);
    let up = false;
    let calls = 0;
    const call = async () => {
      calls++;
      if (!up) throw refused();
      return 'done';
    };
    // The first failure is an ordinary one: JetStream redelivers it.
    await expect(breakers.run('corp_ldap', call)).rejects.toThrow(TransientConnectorError);
    expect(breakers.state('corp_ldap').state).toBe('closed');
    // The second opens the breaker: this order, and the next ones, are held, not failed.
    const held = [
      breakers.run('corp_ldap', call),
      breakers.run('corp_ldap', call),
      breakers.run('corp_ldap', call),
    ];
    await until(
      () => breakers.state('corp_ldap').state === 'open' && breakers.state('corp_ldap').heldOrders === 3,
    );
    expect(breakers.state('corp_ldap')).toMatchObject({
      state: 'open',
      reason: expect.stringMatching(/ECONNREFUSED/),
    });
    // Probes fail while the target is down; orders stay held.
    const probesBefore = calls;
    await until(() => calls >= probesBefore + 2);
    expect(breakers.state('corp_ldap').heldOrders).toBe(3);
    up = true;
    await expect(Promise.all(held)).resolves.toEqual(['done', 'done', 'done']);
    expect(breakers.state('corp_ldap')).toMatchObject({ state: 'closed', heldOrders: 0 });
    expect(breakers.state('corp_ldap').reason).toBeUndefined();
  });

  it('does not count business errors: a permanent error passes through and the breaker stays closed', async () => {
    const breakers = new ConnectionBreakers(settings);
    for (let i = 0; i < 5; i++) {
      await expect(
        breakers.run('hr', () => Promise.reject(new PermanentConnectorError('entry exists'))),
      ).rejects.toThrow('entry exists');
    }
    expect(breakers.state('hr').state).toBe('closed');
  });

  it('gives a held order back when the consumer stops', async () => {
    const breakers = new ConnectionBreakers(settings);
    await breakers.run('x', () => Promise.reject(refused())).catch(() => undefined);
    const stop = new AbortController();
    const held = breakers.run('x', () => Promise.reject(refused()), stop.signal);
    await until(() => breakers.state('x').heldOrders === 1);
    stop.abort();
    await expect(held).rejects.toThrow(/the agent stops/);
    expect(breakers.state('x').heldOrders).toBe(0);
  });

  it('starts orders no faster than the drain rate after the breaker closed', async () => {
    const breakers = new ConnectionBreakers({
      failuresToOpen: 1,
      halfOpenAfterMs: 50,
      drainPerSecond: 20,
      drainMs: 60_000,
    });
    let up = false;
    const starts: number[] = [];
    const call = async () => {
      if (!up) throw refused();
      starts.push(Date.now());
    };
    const first = breakers.run('y', call);
    await until(() => breakers.state('y').state === 'open');
    up = true;
    await first;
    await Promise.all(Array.from({ length: 5 }, () => breakers.run('y', call)));
    // 20 a second: the five start no sooner than 50 ms apart after the probe (a loaded machine
    // only makes them later).
    expect(starts).toHaveLength(6);
    expect(starts[5] - starts[0]).toBeGreaterThanOrEqual(240);
  });
});
