import { readFileSync } from 'node:fs';
import {
  fillGroup,
  type RunningSlapd,
  type RunningSystem,
  startSlapd,
  startSystem,
  waitFor,
} from '@prov/testing';
import { SAMPLE_LDAP_BASE_DN } from './directory-fixture';
import { writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(300_000);

const MEMBERS = 40;
/**
 * Members the group holds first: slapd decodes all of them for every modify of the group, so a
 * modify takes longer than an account's add, as in the ten-minute bench's group of 100,000. (At
 * 20,000, on a quiet machine, most modifies still carried one member.)
 */
const GROUP_SIZE = 60_000;

/** The members each successful modify of `groupDn` added, from slapd's audit log (LDIF), in order. */
function membersPerModify(auditLog: string, groupDn: string): number[] {
  return auditLog
    .split('\n# end ')
    .filter((record) => record.includes(`\ndn: ${groupDn}\nchangetype: modify\n`))
    .map((record) => {
      const added = record.split('\nadd: member\n')[1];
      if (added === undefined) return 0;
      return added
        .split('\n-')[0]
        .split('\n')
        .filter((line) => line.startsWith('member: ')).length;
    });
}

/**
 * An agent with one slot, a backlog of `ldap_staff` orders: each adds an account, then its member
 * to cn=staff. An order whose member waits for the group's next modify gives its slot to the next
 * order (ADR 0077), so one modify carries the members that came while the last one ran. With the
 * slot held to the end, every modify would carry one member: the agent's slots, not the rate of
 * orders, would set how many a modify of a large group shares.
 */
describe("a group's modify shared by more orders than the agent has slots (LDAP)", () => {
  let slapd: RunningSlapd;
  let system: RunningSystem;

  beforeAll(async () => {
    slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN, auditLog: true });
    await fillGroup(slapd, 'staff', GROUP_SIZE);
    system = await startSystem({
      roleModel: writeFastRoleModel(),
      serviceEnv: {
        agent: {
          CORP_LDAP_URL: slapd.url,
          CORP_LDAP_PASSWORD: slapd.servicePassword,
          AGENT_CONCURRENCY: '1',
        },
      },
      startTimeoutMs: 180_000,
    });
  });

  afterAll(async () => {
    await system?.stop();
    await slapd?.stop();
  });

  it('adds the members of a backlog in fewer modifies than orders, every order Executed', async () => {
    const admin = system.client('admin');
    const suffix = Date.now().toString(36);
    const logins = Array.from({ length: MEMBERS + 1 }, (_, i) => `shared${i}.${suffix}`);
    const registered = await admin.post('/api/identities/batch', {
      body: {
        items: logins.map((login) => ({
          id: login,
          login,
          firstName: 'Shared',
          lastName: `Member${login}`,
          email: `${login}@example.test`,
        })),
      },
    });
    expect(registered.status).toBe(200);
    expect(registered.body.errors).toBe(0);
    const requester = system.client('requester');
    const executed = (ids: string[]) =>
      waitFor(() => Promise.all(ids.map((id) => requester.get(`/api/assignments/${id}`))), {
        until: (answers) => answers.every((a) => a.body?.provisioningState === 'Executed'),
        timeoutMs: 120_000,
        intervalMs: 500,
        description: `${ids.length} orders Executed`,
      });
    const request = async (identities: string[]) => {
      const answer = await requester.post('/api/assignments/batch', {
        body: { items: identities.map((identityId) => ({ identityId, entitlementId: 'ldap_staff' })) },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.created).toBe(identities.length);
      return answer.body.results.map((r: { id: string }) => r.id) as string[];
    };
    const groupDn = `cn=staff,ou=groups,${SAMPLE_LDAP_BASE_DN}`;
    const modifies = () => membersPerModify(readFileSync(slapd.auditLogFile!, 'utf8'), groupDn);
    // The first member makes the group known to the agent's connector (it goes alone).
    await executed(await request(logins.slice(0, 1)));
    const before = modifies().length;

    await executed(await request(logins.slice(1)));

    const backlog = modifies().slice(before);
    expect(backlog.reduce((sum, n) => sum + n, 0)).toBe(MEMBERS);
    expect(Math.max(...backlog)).toBeGreaterThan(1);
    expect(backlog.length).toBeLessThan(MEMBERS);
  });
});
