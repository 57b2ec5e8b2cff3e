import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningSlapd, type RunningSystem, startSlapd, startSystem, waitFor } from '@prov/testing';
import { SAMPLE_LDAP_BASE_DN } from './directory-fixture';
import { Flow } from './flow-helpers';
import { writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(900_000);

/** Accounts put into the directory by hand: each is drift (nobody asked for it). */
const SEEDED = 5_000;

/**
 * A directory whose read-back is over NATS's 1 MB limit (5,000 accounts, about 1.5 MB of JSON;
 * docs/operations.md, large connections, on 100,000) synchronizes: the read-back travels to
 * `orders` in pages of 64 KB here (ADR 0025) instead of one message over NATS's 1 MB limit, which used to
 * fail as "NATS unavailable". Verification and drift come out as for a small directory.
 */
describe('synchronization of a directory larger than one NATS message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prov-large-sync-'));
  let slapd: RunningSlapd;
  let system: RunningSystem;
  let flow: Flow;

  beforeAll(async () => {
    slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN });
    const ldif = Array.from({ length: SEEDED }, (_, i) =>
      [
        `dn: uid=seeded${i},${slapd.peopleDn}`,
        'objectClass: inetOrgPerson',
        `uid: seeded${i}`,
        `cn: Seeded Person ${i}`,
        `sn: Person ${i}`,
        `mail: seeded${i}@example.test`,
        `description: an account created by hand before the engine managed this directory, number ${i}`,
        '',
      ].join('\n'),
    ).join('\n');
    const file = join(dir, 'seed.ldif');
    writeFileSync(file, ldif);
    // One ldapadd of an LDIF: seconds for thousands of entries (slapd runs with dbnosync).
    execFileSync(
      'ldapadd',
      ['-x', '-H', slapd.url, '-D', slapd.adminDn, '-w', slapd.adminPassword, '-f', file],
      {
        stdio: 'ignore',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    system = await startSystem({
      roleModel: writeFastRoleModel(),
      serviceEnv: {
        agent: {
          CORP_LDAP_URL: slapd.url,
          CORP_LDAP_PASSWORD: slapd.servicePassword,
          AGENT_READ_BACK_PAGE_BYTES: '65536',
        },
      },
      startTimeoutMs: 180_000,
    });
    flow = new Flow(system);
  });

  afterAll(async () => {
    await system?.stop();
    await slapd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies the executed orders and reports every seeded account as drift', async () => {
    const identities = await Promise.all([flow.identity('large'), flow.identity('large')]);
    const assignments = await Promise.all(identities.map((id) => flow.request(id, 'ldap_staff')));
    for (const id of assignments) await flow.waitForState(id, 'Executed', 60_000);

    const started = await flow.operator.post('/api/jobs/complete');
    expect(started.status).toBe(202);
    const job = await waitFor(() => flow.operator.get(`/api/jobs/${started.body.jobId as string}`), {
      until: (r) => r.status === 200 && r.body.status !== 'Running',
      timeoutMs: 600_000,
      description: 'the complete job to finish',
    });
    expect(job.body.status).toBe('Completed');

    for (const id of assignments) await flow.waitForState(id, 'Verified', 60_000);
    const logTail = (service: 'orders' | 'agent' | 'projector') =>
      system
        .logs(service)
        .split('\n')
        .filter((line) => /error|synchroniz|warn|fail|page/i.test(line))
        .slice(-15)
        .join('\n');
    const connection = await waitFor(() => flow.requester.get('/api/connections'), {
      until: (r) => r.body.find((c: { id: string }) => c.id === 'corp_ldap')?.lastSynchronization !== null,
      timeoutMs: 180_000,
      description: "corp_ldap's synchronization in the read model",
    }).catch((error: Error) => {
      throw new Error(
        `${error.message}\njob: ${JSON.stringify(job.body)}\norders:\n${logTail('orders')}\nagent:\n${logTail('agent')}\nprojector:\n${logTail('projector')}`,
      );
    });
    const last = connection.body.find((c: { id: string }) => c.id === 'corp_ldap').lastSynchronization;
    expect(last).toMatchObject({ accounts: SEEDED + 2, nonConforming: SEEDED });
    expect(last.verified).toBeGreaterThanOrEqual(2);
    expect(system.logs('agent')).not.toMatch(/NATS unavailable|MAX_PAYLOAD/i);
  });
});
