import {
  type RunningSambaAdDc,
  type RunningScimServer,
  type RunningSlapd,
  type RunningSystem,
  startSambaAdDc,
  startScimServer,
  startSlapd,
  startSystem,
  waitFor,
} from '@prov/testing';
import {
  DirectoryAdmin,
  SAMPLE_LDAP_BASE_DN,
  scimUser,
  values,
  writeDirectoryRoleModel,
} from './directory-fixture';
import { Flow } from './flow-helpers';

jest.setTimeout(300_000);

/**
 * The seed flows once more, through the whole system, with real directories behind the role
 * model: the sample's corp_ldap on OpenLDAP slapd, an Active Directory on Samba AD DC and a SCIM
 * service. What the connectors wrote is checked in the directories themselves. The secrets reach
 * the agent only, through its environment.
 */
describe('directory flows (LDAP, Active Directory, SCIM), end to end', () => {
  let slapd: RunningSlapd;
  let dc: RunningSambaAdDc;
  let scim: RunningScimServer;
  let system: RunningSystem;
  let flow: Flow;
  let ldap: DirectoryAdmin;
  let ad: DirectoryAdmin;
  let people: string;
  let adUsers: string;

  beforeAll(async () => {
    [slapd, dc, scim] = await Promise.all([
      startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN }),
      startSambaAdDc(),
      startScimServer(),
    ]);
    people = slapd.peopleDn;
    adUsers = `OU=Provisioned Users,${dc.baseDn}`;
    system = await startSystem({
      roleModel: writeDirectoryRoleModel(dc, scim),
      serviceEnv: {
        agent: {
          CORP_LDAP_URL: slapd.url,
          CORP_LDAP_PASSWORD: slapd.servicePassword,
          CORP_AD_PASSWORD: dc.adminPassword,
          WIKI_SCIM_TOKEN: scim.token,
        },
      },
    });
    flow = new Flow(system);
    [ldap, ad] = await Promise.all([
      DirectoryAdmin.connect(slapd.url, slapd.adminDn, slapd.adminPassword),
      DirectoryAdmin.connect(dc.ldapsUrl, dc.adminDn, dc.adminPassword),
    ]);
  });

  afterAll(async () => {
    await Promise.all([ldap?.close(), ad?.close()]);
    await system?.stop();
    await Promise.all([slapd?.stop(), dc?.stop(), scim?.stop()]);
  });

  it('tests every directory connection with the credentials from the agent’s environment', async () => {
    for (const id of ['corp_ldap', 'corp_ad', 'wiki']) {
      const answer = await flow.operator.post(`/api/connections/${id}/test`);
      expect({ id, status: answer.status, ok: answer.body.ok }).toEqual({ id, status: 200, ok: true });
      for (const secret of [slapd.servicePassword, dc.adminPassword, scim.token])
        expect(answer.body.message).not.toContain(secret);
    }
    expect((await flow.operator.post('/api/connections/corp_ldap/test')).body.message).toMatch(
      /^bound as cn=provisioning,dc=example,dc=com/,
    );
    expect((await flow.requester.post('/api/connections/corp_ldap/test')).status).toBe(403);
    expect((await flow.operator.post('/api/connections/nowhere/test')).status).toBe(404);
  });

  it('automated on LDAP, AD and SCIM: Executed, written into each directory, then Verified by the complete job', async () => {
    const [onLdap, onAd, onWiki] = await Promise.all([
      flow.identity('ld'),
      flow.identity('ad'),
      flow.identity('wk'),
    ]);
    const assignments = await Promise.all([
      flow.request(onLdap, 'ldap_staff'),
      flow.request(onAd, 'ad_staff'),
      flow.request(onWiki, 'wiki_editors'),
    ]);
    await Promise.all(assignments.map((id) => flow.waitForState(id, 'Executed')));

    const entry = await ldap.find(people, `(uid=${onLdap})`, ['cn', 'sn', 'mail', 'memberOf']);
    expect(entry).toMatchObject({
      dn: `uid=${onLdap},${people}`,
      cn: 'Test ld',
      sn: 'ld',
      mail: `${onLdap}@example.test`,
    });
    expect(values(entry, 'memberOf')).toEqual([`cn=staff,${slapd.groupsDn}`]);
    const user = await ad.find(adUsers, `(sAMAccountName=${onAd})`, [
      'displayName',
      'memberOf',
      'userAccountControl',
    ]);
    expect(user).toMatchObject({ displayName: 'Test ad', userAccountControl: '512' });
    expect(values(user, 'memberOf')).toEqual([`CN=staff,OU=Provisioned Groups,${dc.baseDn}`]);
    expect(await scimUser(scim, onWiki)).toMatchObject({ userName: onWiki, displayName: 'Test wk' });

    const job = await flow.completeJob();
    // Every connection was read back: no synchronization error, whatever the connector.
    const tasks = job.tasks as Array<{ name: string; errors: string[] }>;
    expect(tasks.flatMap((t) => t.errors)).toEqual([]);
    for (const id of assignments) {
      expect(await flow.waitForState(id, 'Verified')).toMatchObject({
        provisioningStateCode: 4,
        currentOrder: { changeType: 'Added' },
      });
    }
  });

  it('sensitive: the directory administrators group waits for approval, then is Executed', async () => {
    const identity = await flow.identity('adm');
    const assignmentId = await flow.request(identity, 'ldap_admins');
    const waiting = await flow.waitForState(assignmentId, 'AwaitingApproval');
    expect(await ldap.find(people, `(uid=${identity})`, ['uid'])).toBeUndefined(); // nothing written before the review
    const approved = await flow.reviewer.post(`/api/review/orders/${waiting.currentOrder.orderId}/approve`, {
      body: { comment: 'ok' },
    });
    expect(approved.status).toBe(200);
    await flow.waitForState(assignmentId, 'Executed');
    expect(values(await ldap.find(people, `(uid=${identity})`, ['memberOf']), 'memberOf')).toEqual([
      `cn=admins,${slapd.groupsDn}`,
    ]);
  });

  it('revoke on LDAP and AD: the Deleted orders are executed, the entries go, and the complete job verifies it', async () => {
    const [onLdap, onAd] = await Promise.all([flow.identity('rl'), flow.identity('ra')]);
    const assignments = await Promise.all([
      flow.request(onLdap, 'ldap_staff'),
      flow.request(onAd, 'ad_staff'),
    ]);
    await Promise.all(assignments.map((id) => flow.waitForState(id, 'Executed')));
    for (const id of assignments)
      expect((await flow.requester.delete(`/api/assignments/${id}`)).status).toBe(202);
    for (const id of assignments) {
      const deleted = await waitFor(() => flow.assignment(id), {
        until: (a) => a.currentOrder?.changeType === 'Deleted' && a.provisioningState === 'Executed',
        timeoutMs: 20_000,
        description: `the Deleted order of ${id} to be executed`,
      });
      expect(deleted.workflowState).toBe('Revoked');
    }
    expect(await ldap.find(people, `(uid=${onLdap})`, ['uid'])).toBeUndefined(); // its last group: deleted
    const user = await ad.find(adUsers, `(sAMAccountName=${onAd})`, ['memberOf']);
    expect(values(user, 'memberOf')).toEqual([]); // the membership is gone (the account stays: onDelete acts on account-only entitlements)
    await flow.completeJob();
    for (const id of assignments) await flow.waitForState(id, 'Verified');
  });

  it("a password the domain refuses: 3 Errored with the domain's reason, and no account left behind", async () => {
    const identity = await flow.identity('weak');
    const assignmentId = await flow.request(identity, 'ad_weak');
    const errored = await flow.waitForState(assignmentId, 'Errored');
    expect(errored.provisioningStateCode).toBe(3);
    expect(errored.currentOrder.lastError).toMatch(/check_password_restrictions: the password is too short/);
    expect(await ad.find(adUsers, `(sAMAccountName=${identity})`, ['cn'])).toBeUndefined();
  });

  it('entries made by hand in the directories are reported as non-conforming after a complete job', async () => {
    await ldap.add(`uid=intruder,${people}`, {
      objectClass: 'inetOrgPerson',
      uid: 'intruder',
      cn: 'In Truder',
      sn: 'Truder',
    });
    await ad.add(`CN=ghost,${adUsers}`, { objectClass: 'user', sAMAccountName: 'ghost' });
    await flow.completeJob();
    for (const [connection, accountKey] of [
      ['corp_ldap', 'intruder'],
      ['corp_ad', 'ghost'],
    ]) {
      const found = await waitFor(() => flow.requester.get(`/api/connections/${connection}/non-conforming`), {
        until: (r) =>
          r.status === 200 && r.body.some((n: { accountKey: string }) => n.accountKey === accountKey),
        description: `${accountKey} to be listed as non-conforming on ${connection}`,
      });
      expect(found.body).toEqual(
        expect.arrayContaining([expect.objectContaining({ accountKey, kind: 'account' })]),
      );
    }
    // Only what nobody assigned: the LDAP accounts of live assignments are expected. (On AD the
    // account whose only group was revoked above stays, in no group, and counts as drift too.)
    const onLdap = (await flow.requester.get('/api/connections/corp_ldap/non-conforming')).body as Array<{
      accountKey: string;
    }>;
    expect(onLdap.map((n) => n.accountKey)).toEqual(['intruder']);
    const connections = (await flow.requester.get('/api/connections')).body as Array<{
      id: string;
      health: string;
    }>;
    expect(
      connections.filter((c) => ['corp_ldap', 'corp_ad', 'wiki'].includes(c.id)).map((c) => c.health),
    ).toEqual(['synchronized', 'synchronized', 'synchronized']);
  });
});
