import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  type RunningSlapd,
  type RunningSystem,
  startSlapd,
  startSystem,
  waitFor,
} from '@prov/testing';
import { SAMPLE_LDAP_BASE_DN } from './directory-fixture';
import { Flow } from './flow-helpers';
import { writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(600_000);

interface Breaker {
  state: string;
  reason?: string;
  heldOrders: number;
}

/**
 * slapd stops while orders for it keep arriving: the agent opens corp_ldap's breaker, orders wait
 * Pending without using up their deliveries (three at most here: without the breaker they would
 * be dead-lettered and Errored), probes fail while slapd is down; slapd comes back, a probe
 * closes the breaker, and every order ends Executed on its first attempt.
 */
describe('circuit breaker of a connection whose target is down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prov-breaker-ldap-'));
  const servicePassword = 'breaker-service-password';
  let port: number;
  let healthPort: number;
  let slapd: RunningSlapd;
  let system: RunningSystem;
  let flow: Flow;

  const metric = async (name: string): Promise<number | undefined> => {
    const text = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`${name}{`) && l.includes('connection="corp_ldap"'));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };
  const breaker = async (): Promise<Breaker | null> => {
    const response = await flow.requester.get('/api/connections');
    return response.body.find((c: { id: string }) => c.id === 'corp_ldap')?.breaker ?? null;
  };

  beforeAll(async () => {
    [port, healthPort] = await Promise.all([freePort(), freePort()]);
    slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN, dir, port, servicePassword });
    system = await startSystem({
      roleModel: writeFastRoleModel(),
      serviceEnv: {
        agent: {
          CORP_LDAP_URL: slapd.url,
          CORP_LDAP_PASSWORD: servicePassword,
          HEALTH_PORT: String(healthPort),
          AGENT_CONCURRENCY: '4',
          AGENT_MAX_DELIVER: '3',
          AGENT_ACK_WAIT_MS: '4000',
          AGENT_BREAKER_FAILURES: '2',
          AGENT_BREAKER_HALF_OPEN_MS: '1000',
          AGENT_DRAIN_PER_SECOND: '10',
        },
      },
      startTimeoutMs: 180_000,
    });
    flow = new Flow(system);
    await flow.waitForState(
      await flow.request(await flow.identity('warmup'), 'ldap_staff'),
      'Executed',
      60_000,
    );
  });

  afterAll(async () => {
    await system?.stop();
    await slapd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the orders Pending while slapd is down and executes each once it is back', async () => {
    expect(await breaker()).toMatchObject({ state: 'closed', heldOrders: 0 });
    await slapd.stop();
    const identities = await Promise.all(Array.from({ length: 20 }, () => flow.identity('breaker')));
    const assignments = await Promise.all(identities.map((identity) => flow.request(identity, 'ldap_staff')));

    // Open, shown by the connections API, the agent's metrics and its readiness.
    const open = await waitFor(breaker, {
      until: (b) => b?.state === 'open' && b.heldOrders === 4,
      timeoutMs: 120_000,
      description: "corp_ldap's breaker to open with the agent's four slots held",
    });
    expect(open?.reason).toMatch(/ECONNREFUSED/);
    expect(await metric('prov_connection_breaker_state')).toBeGreaterThanOrEqual(1);
    expect(await metric('prov_connection_breaker_held_orders')).toBe(4);
    const ready = (await (await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).json()) as {
      status: string;
      info: Record<string, Record<string, unknown>>;
    };
    expect(ready.status).toBe('ok');
    expect(ready.info['breaker:corp_ldap']).toMatchObject({
      status: 'up',
      state: expect.stringMatching(/open/),
    });

    // Probes keep failing while slapd stays down; nothing is dead-lettered, every order waits.
    await waitFor(() => Promise.resolve(system.logs('agent')), {
      until: (log) => (log.match(/circuit breaker half-open/g) ?? []).length >= 3,
      timeoutMs: 60_000,
      description: 'three failed probes',
    });
    const held = await Promise.all(assignments.map((id) => flow.assignment(id)));
    expect(held.map((a) => a.provisioningState)).toEqual(assignments.map(() => 'Pending'));
    expect(held.map((a) => a.currentOrder.attempt)).toEqual(assignments.map(() => 1));
    expect(system.logs('agent')).not.toMatch(/dead-lettered|gave up after repeated failures/);

    slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN, dir, port, servicePassword });
    for (const id of assignments) await flow.waitForState(id, 'Executed', 120_000);
    expect(await breaker()).toMatchObject({ state: 'closed', heldOrders: 0 });
    expect(await metric('prov_connection_breaker_state')).toBe(0);
    expect(await metric('prov_connection_breaker_opened_total')).toBeGreaterThanOrEqual(1);
    // First attempt each: no order went Errored, so no retry was used up.
    for (const id of assignments) {
      const types = await flow.historyTypes(id);
      expect(types).not.toContain('ProvisioningOrderErrored');
      expect(types.filter((t) => t === 'ProvisioningOrderExecuted')).toHaveLength(1);
      expect((await flow.assignment(id)).currentOrder.attempt).toBe(1);
    }
  });
});
