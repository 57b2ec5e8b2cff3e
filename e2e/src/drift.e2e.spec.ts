import {
  type ApiResponse,
  type RunningSlapd,
  type RunningSystem,
  startSlapd,
  startSystem,
  waitFor,
} from '@prov/testing';
import { DirectoryAdmin, SAMPLE_LDAP_BASE_DN, values } from './directory-fixture';
import { Flow } from './flow-helpers';
import { rewriteRoleModel, writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(300_000);

interface Drift {
  accountKey: string;
  kind: string;
  drift: string;
  attribute?: string;
  group?: string;
  assignmentIds?: string[];
}

/**
 * Drift both ways and one owner per account, through the whole system against a real slapd: the
 * sample's corp_ldap, plus a team account whose key comes from the department (so that two
 * identities can compute one key). First the connection only reports drift and adopts nothing;
 * then the role model says `onDrift: restore` and `adoptExisting: true`, and the services restart.
 */
describe('drift and account ownership on LDAP, end to end', () => {
  let slapd: RunningSlapd;
  let system: RunningSystem;
  let flow: Flow;
  let ldap: DirectoryAdmin;
  let roleModel: string;
  let people: string;
  const dn = (uid: string) => `uid=${uid},${people}`;
  const drift = async (): Promise<Drift[]> =>
    (await flow.requester.get('/api/connections/corp_ldap/non-conforming')).body;

  beforeAll(async () => {
    slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN });
    people = slapd.peopleDn;
    roleModel = writeFastRoleModel((yaml) =>
      yaml.replace(
        '\nentitlements:\n',
        `
  - id: corp_ldap_team_account
    name: Team account (one per department)
    connection: corp_ldap
    accountKey: lower(department)
    attributes:
      cn: department
      sn: department

entitlements:
  - id: ldap_team
    name: Directory - team account
    resourceType: corp_ldap_team_account
    group: teams

  - id: ldap_admins
    name: Directory - administrators
    resourceType: corp_ldap_account
    group: admins
    requiresProvisioningReview: true
`,
      ),
    );
    system = await startSystem({
      roleModel,
      serviceEnv: { agent: { CORP_LDAP_URL: slapd.url, CORP_LDAP_PASSWORD: slapd.servicePassword } },
    });
    flow = new Flow(system);
    ldap = await DirectoryAdmin.connect(slapd.url, slapd.adminDn, slapd.adminPassword);
  });

  afterAll(async () => {
    await ldap?.close();
    await system?.stop();
    await slapd?.stop();
  });

  let deleted: { identity: string; assignmentId: string };
  let changed: { identity: string; assignmentId: string };
  let foreign: { identity: string; assignmentId: string };

  it('reports an account deleted by hand as missing and a value changed by hand as differing (onDrift: report)', async () => {
    const [gone, edited] = await Promise.all([flow.identity('gone'), flow.identity('edited')]);
    const assignments = await Promise.all([
      flow.request(gone, 'ldap_staff'),
      flow.request(edited, 'ldap_staff'),
    ]);
    await Promise.all(assignments.map((id) => flow.waitForState(id, 'Executed')));
    await flow.completeJob();
    await Promise.all(assignments.map((id) => flow.waitForState(id, 'Verified')));
    deleted = { identity: gone, assignmentId: assignments[0] };
    changed = { identity: edited, assignmentId: assignments[1] };

    await ldap.delete(dn(gone));
    await ldap.replace(dn(edited), 'mail', ['changed.by.hand@example.test']);
    await flow.completeJob();
    const found = await waitFor(drift, {
      until: (list) => list.some((d) => d.accountKey === gone) && list.some((d) => d.accountKey === edited),
      description: 'the missing account and the differing value to be reported',
    });
    expect(found.filter((d) => d.accountKey === gone || d.accountKey === edited)).toEqual([
      expect.objectContaining({
        accountKey: edited,
        kind: 'attribute',
        attribute: 'mail',
        drift: 'differing',
        assignmentIds: [changed.assignmentId],
      }),
      expect.objectContaining({
        accountKey: gone,
        kind: 'account',
        drift: 'missing',
        assignmentIds: [deleted.assignmentId],
      }),
    ]);
    // Reported only: nothing was written back, and the assignments keep their state.
    expect(await ldap.find(people, `(uid=${gone})`, ['uid'])).toBeUndefined();
    expect(values(await ldap.find(people, `(uid=${edited})`, ['mail']), 'mail')).toEqual([
      'changed.by.hand@example.test',
    ]);
    expect((await flow.assignment(deleted.assignmentId)).provisioningState).toBe('Verified');
  });

  it('never takes over an account it did not create: the Added order ends 3 Errored, saying why', async () => {
    const identity = await flow.identity('taken');
    await ldap.add(dn(identity), {
      objectClass: 'inetOrgPerson',
      uid: identity,
      cn: 'Somebody Else',
      sn: 'Else',
    });
    const assignmentId = await flow.request(identity, 'ldap_staff');
    const errored = await flow.waitForState(assignmentId, 'Errored');
    expect(errored.currentOrder.lastError).toContain(
      `account '${identity}' already exists on connection 'corp_ldap' and was not created by the engine`,
    );
    expect(await ldap.find(people, `(uid=${identity})`, ['cn'])).toMatchObject({ cn: 'Somebody Else' });
    foreign = { identity, assignmentId };
  });

  it('never points two identities at one account key: the second order goes to 7 Error naming both', async () => {
    const [first, second] = [
      await flow.identity('teamone', { department: 'Blue' }),
      await flow.identity('teamtwo', { department: 'Blue' }),
    ];
    const firstAssignment = await flow.request(first, 'ldap_team');
    await flow.waitForState(firstAssignment, 'Executed');
    const secondAssignment = await flow.request(second, 'ldap_team');
    const failed = await flow.waitForState(secondAssignment, 'Error');
    expect(failed.provisioningStateCode).toBe(7);
    expect(failed.currentOrder.lastError).toBe(
      `account key 'blue' on connection corp_ldap is already the account of identity ${first}; identity ${second} computes the same key (one owner per account)`,
    );
    expect(values(await ldap.find(people, '(uid=blue)', ['memberOf']), 'memberOf')).toEqual([
      `cn=teams,${slapd.groupsDn}`,
    ]);
  });

  it('pages the review queue: a page, then the rest through the X-Next-Cursor header', async () => {
    const identities = await Promise.all(['pga', 'pgb', 'pgc'].map((prefix) => flow.identity(prefix)));
    const assignments = await Promise.all(
      identities.map((identity) => flow.request(identity, 'ldap_admins')),
    );
    const waiting = await Promise.all(assignments.map((id) => flow.waitForState(id, 'AwaitingApproval')));
    const seen: string[] = [];
    let path: string | undefined = '/api/review/orders?connectionId=corp_ldap&limit=2';
    let pages = 0;
    while (path) {
      const page: ApiResponse = await flow.reviewer.get(path);
      expect(page.status).toBe(200);
      expect(page.body.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.map((order: { orderId: string }) => order.orderId));
      const next: string | null = page.headers.get('x-next-cursor');
      path = next ? `/api/review/orders?connectionId=corp_ldap&limit=2&cursor=${next}` : undefined;
      if (next) expect(page.headers.get('link')).toContain(`cursor=${next}`);
      pages++;
    }
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(waiting.map((a) => a.currentOrder.orderId)));
    const foreignCursor = await flow.reviewer.get('/api/review/orders?cursor=bm90LWEtY3Vyc29y');
    expect(foreignCursor.status).toBe(400);
    expect(foreignCursor.body.details).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });

  it('with onDrift: restore and adoptExisting: true, puts drift back and takes the existing account over', async () => {
    rewriteRoleModel(roleModel, (yaml) =>
      yaml.replace(
        '    connector: ldap\n',
        '    connector: ldap\n    onDrift: restore\n    adoptExisting: true\n',
      ),
    );
    await system.restart('orders');
    await system.restart('agent');

    await flow.completeJob();
    await waitFor(() => ldap.find(people, `(uid=${deleted.identity})`, ['mail', 'memberOf']), {
      until: (entry) => values(entry, 'memberOf').includes(`cn=staff,${slapd.groupsDn}`),
      description: 'the deleted account to be created again, in its group',
    });
    await waitFor(() => ldap.find(people, `(uid=${changed.identity})`, ['mail']), {
      until: (entry) => values(entry, 'mail')[0] === `${changed.identity}@example.test`,
      description: 'the value changed by hand to be put back',
    });
    // The restore orders are normal orders: executed by the agent, then verified by synchronization.
    for (const [{ assignmentId }, changeType] of [
      [deleted, 'Added'],
      [changed, 'Modified'],
    ] as const) {
      await waitFor(() => flow.assignment(assignmentId), {
        until: (a) =>
          a.currentOrder?.changeType === changeType && ['Executed', 'Verified'].includes(a.provisioningState),
        description: `the ${changeType} restore order of ${assignmentId} to be executed`,
      });
    }
    await flow.completeJob();
    await Promise.all([deleted, changed].map((d) => flow.waitForState(d.assignmentId, 'Verified')));
    const left = (await drift()).filter(
      (d) => d.accountKey === deleted.identity || d.accountKey === changed.identity,
    );
    expect(left).toEqual([]);

    const errored = await flow.assignment(foreign.assignmentId);
    if (errored.provisioningState === 'Errored') {
      const retried = await flow.reviewer.post(`/api/review/orders/${errored.currentOrder.orderId}/retry`, {
        body: {},
      });
      expect([200, 409]).toContain(retried.status); // 409: the retry policy retried it first
    }
    await waitFor(() => flow.assignment(foreign.assignmentId), {
      until: (a) => ['Executed', 'Verified'].includes(a.provisioningState),
      description: 'the order for the existing account to be executed, taking it over',
    });
    expect(await ldap.find(people, `(uid=${foreign.identity})`, ['cn'])).toMatchObject({ cn: `Test taken` });
  });
});
