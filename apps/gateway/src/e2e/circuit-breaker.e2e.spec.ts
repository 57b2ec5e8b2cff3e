import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RunningSlapd, type RunningSystem, startSlapd, startSystem, waitFor } from '@prov/testing';
import { SAMPLE_LDAP_BASE_DN } from './directory-fixture';
import { Flow } from './flow-helpers';
import { writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(420_000);

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

/**
 * slapd stops while orders for it keep coming: the agent opens corp_ldap's breaker, the orders
 * wait Pending without using up attempts, probes fail while slapd is down; slapd comes back, a
 * probe closes the breaker, and every order ends Executed on its first attempt.
 */
describe("circuit breaker of a connection whose target is down", () => {
  const dir = mkdtempSync(join(tmpdir(), 'prov-breaker-ldap-'));
  let port: number;
  let slapd: RunningSlapd;
  let system: RunningSystem;
  let flow: Flow;
  const servicePassword = 'breaker-service-password';

  beforeAll(async () => {
    port = await freePort();
    slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN, dir, port, servicePassword });
    system = await startSystem({
      roleModel: writeFastRoleModel(),
      serviceEnv: {
        agent: {
          CORP_LDAP_URL: slapd.url,
          CORP_LDAP_PASSWORD: servicePassword,
          AGENT_BREAKER_FAILURES: '2',
          AGENT_BREAKER_HALF_OPEN_MS: '1000',
          AGENT_ACK_WAIT_MS: '4000',
        },
      },
      startTimeoutMs: 180_000,
    });
    flow = new Flow(system);
    await flow.waitForState(await flow.request(await flow.identity('warmup'), 'ldap_staff'), 'Executed', 60_000);
  });

  afterAll(async () => {
    await system?.stop();
    await slapd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the orders Pending while slapd is down and executes each once it is back', async () => {
    await slapd.stop();
    const identities = await Promise.all(Array.from({ length: 10 }, () => flow.identity('breaker')));
    const assignments = await Promise.all(identities.map((identity) => flow.request(identity, 'ldap_staff')));

    // The breaker opens, and probes keep failing while slapd stays down.
    await waitFor(() => system.logs('agent'), {
      until: (log) => /circuit breaker opened/.test(log) && count(log, /circuit breaker half-open/g) >= 3,
      timeoutMs: 90_000,
      description: 'the breaker to open and three probes to fail',
    });
    const held = await Promise.all(assignments.map((id) => flow.assignment(id)));
    expect(held.map((a) => a.provisioningState)).toEqual(assignments.map(() => 'Pending'));
    expect(system.logs('agent')).not.toMatch(/dead-letter|gave up after repeated failures/);

    slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN, dir, port, servicePassword });
    for (const id of assignments) await flow.waitForState(id, 'Executed', 90_000);
    expect(system.logs('agent')).toMatch(/circuit breaker closed/);
    // First attempt each: no order went Errored, so no retry was used up.
    for (const id of assignments) {
      const types = await flow.historyTypes(id);
      expect(types).not.toContain('ProvisioningOrderErrored');
      expect(types.filter((t) => t === 'ProvisioningOrderExecuted')).toHaveLength(1);
    }
  });
});
