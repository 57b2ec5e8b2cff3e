import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { PostgresEventStore } from '@prov/event-store';
import { Projector } from '@prov/read-models';
import {
  ApiClient,
  type ApiResponse,
  type RunningSlapd,
  type RunningSystem,
  SERVICE_APPS,
  type ServiceInstance,
  startSlapd,
  startSystem,
  waitFor,
} from '@prov/testing';
import { SAMPLE_LDAP_BASE_DN } from './directory-fixture';
import { writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(420_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const ENTITLEMENTS = ['ldap_staff', 'hr_app_reader'];

/** Successful writes slapd's audit log holds per entry DN (adds, modifies; group entries included). */
function writesPerEntry(auditLog: string, login: string): number {
  return auditLog.split('\n# ').filter((record) => record.includes(`uid=${login},`)).length;
}

/**
 * Two copies of every service under load; kill -9 of one copy of each, at random moments, while
 * requests keep coming through both gateways. Every order reaches its end state, nothing is
 * written twice in slapd, and the read models equal a projection of the log from zero.
 */
describe('two copies of every service, one of each killed under load', () => {
  let slapd: RunningSlapd;
  let system: RunningSystem;
  let gateways: Record<string, ApiClient>;

  beforeAll(async () => {
    slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN, auditLog: true });
    system = await startSystem({
      roleModel: writeFastRoleModel(),
      replicas: { gateway: 2, requests: 2, review: 2, orders: 2, agent: 2, projector: 2 },
      env: { TIMER_INTERVAL_MS: '500' },
      serviceEnv: {
        agent: {
          CORP_LDAP_URL: slapd.url,
          CORP_LDAP_PASSWORD: slapd.servicePassword,
          AGENT_ACK_WAIT_MS: '5000',
        },
      },
      startTimeoutMs: 180_000,
    });
    gateways = {
      gateway: system.client('admin'),
      'gateway-2': new ApiClient(system.apiUrlOf('gateway-2')).as(system.tokens.admin),
    };
  });

  afterAll(async () => {
    await system?.stop();
    await slapd?.stop();
  });

  /** Sends through any live gateway; a dead gateway, or a service restarting behind it, means: try again. */
  const send = async (method: 'post' | 'get', path: string, body?: unknown): Promise<ApiResponse> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const name = pick(Object.keys(gateways));
      try {
        const response = await gateways[name][method](
          path,
          body === undefined ? {} : { body, timeoutMs: 30_000 },
        );
        if (response.status < 500) return response;
      } catch {
        // connection refused: that gateway copy is down
      }
      if (Date.now() > deadline) throw new Error(`${method} ${path} found no working gateway for 2 minutes`);
      await sleep(200);
    }
  };

  it('every order ends Executed, nothing twice, read models equal a replay', async () => {
    const warmup = `warm${Date.now().toString(36)}`;
    const logins = Array.from({ length: 30 }, (_, i) => `rep${i}x${Date.now().toString(36)}`);
    const register = (login: string) =>
      send('post', '/api/identities', {
        id: login,
        login,
        firstName: 'Re',
        lastName: 'Plica',
        email: `${login}@example.test`,
        department: 'IT',
      });
    const request = async (login: string, entitlementId: string) => {
      const response = await send('post', '/api/assignments', { identityId: login, entitlementId });
      expect([200, 202]).toContain(response.status);
      return response.body.assignmentId as string;
    };
    // An undisturbed identity: how many writes one account's orders make in slapd.
    expect((await register(warmup)).status).toBe(201);
    const warmupAssignment = await request(warmup, 'ldap_staff');
    await waitFor(() => send('get', `/api/assignments/${warmupAssignment}`), {
      until: (r) => r.body?.provisioningState === 'Executed',
      timeoutMs: 60_000,
      description: 'the warm-up order to be Executed',
    });

    const assignments = new Set<string>();
    let done = false;
    const load = (async () => {
      for (const login of logins) {
        expect([201, 200]).toContain((await register(login)).status);
        for (const id of await Promise.all(ENTITLEMENTS.map((e) => request(login, e)))) assignments.add(id);
      }
      done = true;
    })();
    // One copy of each app, in random order, at random moments while the load runs.
    const killed: ServiceInstance[] = [];
    const restarts: Promise<void>[] = [];
    for (const app of [...SERVICE_APPS].sort(() => Math.random() - 0.5)) {
      await sleep(200 + Math.random() * 1200);
      const victim = pick([app, `${app}-2`] as ServiceInstance[]);
      await system.kill(victim, 'SIGKILL');
      killed.push(victim);
      restarts.push(system.start(victim));
    }
    await load;
    await Promise.all(restarts);
    expect(done).toBe(true);
    expect(killed).toHaveLength(SERVICE_APPS.length);

    const ids = [...assignments];
    expect(ids).toHaveLength(logins.length * ENTITLEMENTS.length);
    await waitFor(
      async () => {
        const states = await Promise.all(ids.map((id) => send('get', `/api/assignments/${id}`)));
        return states
          .filter((r) => r.body?.provisioningState !== 'Executed')
          .map((r) => r.body?.assignmentId ?? r.status);
      },
      {
        until: (left) => left.length === 0,
        timeoutMs: 180_000,
        intervalMs: 1000,
        description: `every order to be Executed (killed: ${killed.join(', ')})`,
      },
    );

    const pool = new Pool({ connectionString: system.databaseUrl });
    try {
      const duplicates = await pool.query(
        `SELECT stream_name, event_type, count(*) AS n FROM es.events
          WHERE stream_name = ANY($1::text[]) AND event_type IN ('ProvisioningOrderGenerated', 'ProvisioningOrderExecuted')
          GROUP BY stream_name, event_type HAVING count(*) > 1`,
        [ids.map((id) => `assignment-${id}`)],
      );
      expect(duplicates.rows).toEqual([]);

      // Nothing written twice in slapd: each account received as many writes as the undisturbed one.
      const audit = readFileSync(slapd.auditLogFile!, 'utf8');
      const expected = writesPerEntry(audit, warmup);
      expect(expected).toBeGreaterThan(0);
      const counts = Object.fromEntries(logins.map((login) => [login, writesPerEntry(audit, login)]));
      expect(counts).toEqual(Object.fromEntries(logins.map((login) => [login, expected])));

      // The read models equal a projection of the whole log into a fresh schema.
      const store = await PostgresEventStore.connect({ pool });
      const replay = new Projector(pool, store, { schema: 'rm_check' });
      await replay.start();
      const live = () =>
        pool
          .query(`SELECT position FROM rm.checkpoints WHERE projection = 'read-models'`)
          .then((r) => r.rows[0]?.position);
      await waitFor(
        () =>
          pool
            .query(`SELECT position FROM rm_check.checkpoints WHERE projection = 'read-models'`)
            .then((r) => r.rows[0]?.position),
        {
          until: (position) => position !== undefined,
          timeoutMs: 60_000,
        },
      );
      await waitFor(
        async () =>
          (await pool.query(`SELECT position FROM rm_check.checkpoints`)).rows[0]?.position ===
          (await live()),
        {
          until: (same) => same,
          timeoutMs: 60_000,
          description: 'the check projection to reach the live checkpoint',
        },
      );
      await replay.stop();
      for (const table of ['identities', 'assignments', 'orders', 'history']) {
        const a = await pool.query(`SELECT * FROM rm.${table} ORDER BY 1, 2`);
        const b = await pool.query(`SELECT * FROM rm_check.${table} ORDER BY 1, 2`);
        expect({ table, rows: b.rows }).toEqual({ table, rows: a.rows });
      }
      await store.close();
    } finally {
      await pool.end();
    }
  });
});
