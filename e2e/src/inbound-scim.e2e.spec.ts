import { ScimConnector } from '@prov/connectors';
import { type RunningSlapd, type RunningSystem, startSlapd, startSystem, waitFor } from '@prov/testing';
import { DirectoryAdmin, SAMPLE_LDAP_BASE_DN, values } from './directory-fixture';
import { Flow } from './flow-helpers';
import { importPopulation, ScimTestClient, scimUserBody } from './inbound-fixture';
import { writeFastRoleModel } from './role-model-fixture';

jest.setTimeout(300_000);

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * Inbound identities through the whole system: an HR system or identity provider as a SCIM
 * client of /scim/v2 (plain HTTP, independent of the engine's code), the engine's own outbound
 * SCIM connector as a second client, and the HR file feed. The sample's corp_ldap on a real
 * slapd shows that the lifecycle follows (birthright group on a department move, revocation on
 * a leaver). The file feed runs last: a full population deactivates everyone it does not list.
 */
describe('inbound: SCIM 2.0 service provider and HR file feed, end to end', () => {
  let slapd: RunningSlapd;
  let system: RunningSystem;
  let flow: Flow;
  let ldap: DirectoryAdmin;
  let scim: ScimTestClient;
  const run = Date.now().toString(36);

  beforeAll(async () => {
    slapd = await startSlapd({ baseDn: SAMPLE_LDAP_BASE_DN });
    system = await startSystem({
      roleModel: writeFastRoleModel(),
      serviceEnv: { agent: { CORP_LDAP_URL: slapd.url, CORP_LDAP_PASSWORD: slapd.servicePassword } },
    });
    flow = new Flow(system);
    ldap = await DirectoryAdmin.connect(slapd.url, slapd.adminDn, slapd.adminPassword);
    scim = new ScimTestClient(`${system.apiUrl}/scim/v2`, system.tokens['hr-feed']);
  });

  afterAll(async () => {
    await ldap?.close();
    await system?.stop();
    await slapd?.stop();
  });

  const entry = (uid: string) =>
    ldap.find(slapd.peopleDn, `(uid=${uid})`, ['uid', 'departmentNumber', 'memberOf']);

  it('the discovery endpoints parse and say what is supported; only hr-feed and admin tokens get in', async () => {
    const config = await scim.request('GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.contentType).toMatch(/^application\/scim\+json/);
    expect(config.body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      etag: { supported: true },
      bulk: { supported: false },
    });
    const types = await scim.request('GET', '/ResourceTypes');
    expect(types.body.Resources).toEqual([
      expect.objectContaining({
        id: 'User',
        endpoint: '/Users',
        schemaExtensions: [{ schema: ENTERPRISE, required: false }],
      }),
    ]);
    const schemas = await scim.request('GET', '/Schemas');
    const byId = Object.fromEntries(
      (schemas.body.Resources as Array<{ id: string; attributes: Array<{ name: string }> }>).map((s) => [
        s.id,
        s.attributes.map((a) => a.name),
      ]),
    );
    expect(byId[ENTERPRISE]).toEqual(['employeeNumber', 'department', 'manager']);
    expect((await scim.request('GET', `/Schemas/${ENTERPRISE}`)).body.id).toBe(ENTERPRISE);

    const anonymous = await new ScimTestClient(`${system.apiUrl}/scim/v2`, '').request('GET', '/Users');
    expect(anonymous).toMatchObject({
      status: 401,
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' },
    });
    const requester = await new ScimTestClient(`${system.apiUrl}/scim/v2`, system.tokens.requester).request(
      'GET',
      '/Users',
    );
    expect(requester.status).toBe(403);
    expect(
      (await new ScimTestClient(`${system.apiUrl}/scim/v2`, system.tokens.admin).request('GET', '/Users'))
        .status,
    ).toBe(200);
    // Least privilege: the feed's token reaches nothing else of the API.
    const feed = system.client('hr-feed');
    for (const path of ['/api/identities', '/api/assignments', '/api/audit/events'])
      expect({ path, status: (await feed.get(path)).status }).toEqual({ path, status: 403 });
    expect(
      (
        await feed.post('/api/identities', {
          body: { login: 'x', firstName: 'x', lastName: 'x', email: 'x@example.test' },
        })
      ).status,
    ).toBe(403);
  });

  it('joiner: POST creates the identity (the client is the actor); a taken userName is 409 uniqueness; a bad User 400', async () => {
    const login = `sj${run}`;
    const created = await scim.request(
      'POST',
      '/Users',
      scimUserBody(login, { externalId: `HR-${login}`, employeeNumber: '1001' }),
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/scim/v2/Users/${created.body.id}`);
    expect(created.headers.get('etag')).toBe(created.body.meta.version);
    expect(created.body).toMatchObject({
      userName: login,
      externalId: `HR-${login}`,
      active: true,
      [ENTERPRISE]: { department: 'IT', employeeNumber: '1001' },
    });
    // Read-your-writes: the answer came once the directory shows the identity.
    const identity = await flow.requester.get(`/api/identities/${created.body.id}`);
    expect(identity.body).toMatchObject({
      login,
      department: 'IT',
      attributes: { externalId: `HR-${login}`, employeeNumber: '1001' },
    });
    const events = await flow.operator.get(`/api/audit/events?stream=identity-${created.body.id}`);
    expect(
      events.body.events.map((e: { type: string; metadata: { actor: string } }) => [
        e.type,
        e.metadata.actor,
      ]),
    ).toEqual([['IdentityRegistered', 'hr-feed-bot']]);

    const again = await scim.request('POST', '/Users', scimUserBody(login.toUpperCase()));
    expect(again).toMatchObject({ status: 409, body: { scimType: 'uniqueness' } });
    const bad = await scim.request('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `x${login}`,
      name: { givenName: 'A', familyName: 'B' },
    });
    expect(bad).toMatchObject({
      status: 400,
      body: { scimType: 'invalidValue', detail: expect.stringContaining('emails') },
    });
    expect((await scim.request('GET', '/Users/nobody-here')).status).toBe(404);
  });

  it('list: filters (eq, co, sw, pr, and, or on the supported attributes), startIndex/count paging and sortBy', async () => {
    const prefix = `sf${run}`;
    const ids: string[] = [];
    for (const [i, department] of ['Sales', 'IT', 'Sales', 'Legal', 'IT'].entries())
      ids.push(
        (
          await scim.request(
            'POST',
            '/Users',
            scimUserBody(`${prefix}${i}`, { department, externalId: i % 2 ? `X${i}` : undefined }),
          )
        ).body.id,
      );
    const list = async (query: Record<string, string>) =>
      (await scim.request('GET', `/Users?${new URLSearchParams(query)}`)).body;
    const names = (body: { Resources: Array<{ userName: string }> }) => body.Resources.map((u) => u.userName);

    expect(
      names(
        await list({
          filter: `userName sw "${prefix}" and ${ENTERPRISE}:department eq "sales"`,
          sortBy: 'userName',
        }),
      ),
    ).toEqual([`${prefix}0`, `${prefix}2`]);
    expect(
      names(
        await list({
          filter: `userName eq "${prefix.toUpperCase()}3" or emails co "${prefix}4@"`,
          sortBy: 'userName',
        }),
      ),
    ).toEqual([`${prefix}3`, `${prefix}4`]);
    expect(
      names(await list({ filter: `userName sw "${prefix}" and externalId pr`, sortBy: 'userName' })),
    ).toEqual([`${prefix}1`, `${prefix}3`]);
    expect(names(await list({ filter: `name.familyName eq "Lee${prefix}2"` }))).toEqual([`${prefix}2`]);
    const since = (await scim.request('GET', `/Users/${ids[3]}`)).body.meta.lastModified;
    expect(
      names(
        await list({
          filter: `userName sw "${prefix}" and meta.lastModified ge "${since}"`,
          sortBy: 'userName',
        }),
      ),
    ).toEqual([`${prefix}3`, `${prefix}4`]);
    const page = await list({
      filter: `userName sw "${prefix}"`,
      sortBy: 'userName',
      sortOrder: 'descending',
      startIndex: '2',
      count: '2',
    });
    expect(page).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(names(page)).toEqual([`${prefix}3`, `${prefix}2`]);
    const bad = await scim.request(
      'GET',
      `/Users?${new URLSearchParams({ filter: 'userName eq "a" oops' })}`,
    );
    expect(bad).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
  });

  it('mover: PATCH of the department moves the directory account into the birthright group; a stale ETag is 412', async () => {
    const login = `sm${run}`;
    const { body: user } = await scim.request('POST', '/Users', scimUserBody(login));
    await flow.request(user.id, 'ldap_staff');
    await waitFor(() => entry(login), {
      until: (e) => e?.departmentNumber === 'IT',
      timeoutMs: 30_000,
      description: 'the LDAP account',
    });
    const stale = user.meta.version;
    const moved = await scim.request(
      'PATCH',
      `/Users/${user.id}`,
      {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: `${ENTERPRISE}:department`, value: 'Finance' }],
      },
      { 'if-match': stale },
    );
    expect(moved.status).toBe(200);
    expect(moved.body[ENTERPRISE].department).toBe('Finance');
    expect(moved.headers.get('etag')).not.toBe(stale);
    const following = await waitFor(() => entry(login), {
      until: (e) =>
        e?.departmentNumber === 'Finance' && values(e, 'memberOf').includes(`cn=finance,${slapd.groupsDn}`),
      timeoutMs: 30_000,
      description: 'the account to follow the department and the birthright group',
    });
    expect(values(following, 'memberOf').sort()).toEqual(
      [`cn=finance,${slapd.groupsDn}`, `cn=staff,${slapd.groupsDn}`].sort(),
    );

    const conflict = await scim.request(
      'PATCH',
      `/Users/${user.id}`,
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'name.familyName', value: 'Late' }] },
      { 'if-match': stale },
    );
    expect(conflict.status).toBe(412);
    const put = await scim.request(
      'PUT',
      `/Users/${user.id}`,
      scimUserBody(login, { department: 'Finance', familyName: 'Moss' }),
      { 'if-match': moved.headers.get('etag')! },
    );
    expect(put).toMatchObject({ status: 200, body: { name: { familyName: 'Moss' } } });
  });

  it('leaver: active "False" (as Entra ID sends it) deactivates and the access goes; DELETE hides the user', async () => {
    const login = `sl${run}`;
    const { body: user } = await scim.request('POST', '/Users', scimUserBody(login));
    const assignmentId = await flow.request(user.id, 'ldap_staff');
    await flow.waitForState(assignmentId, 'Executed', 30_000);
    const left = await scim.request('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(left).toMatchObject({ status: 200, body: { active: false } });
    const revoked = await waitFor(() => flow.assignment(assignmentId), {
      until: (a) => a.currentOrder?.changeType === 'Deleted' && a.provisioningState === 'Executed',
      timeoutMs: 30_000,
      description: 'the leaver revocation to be executed',
    });
    expect(revoked.workflowState).toBe('Revoked');
    expect(await entry(login)).toBeUndefined();

    const other = (await scim.request('POST', '/Users', scimUserBody(`sd${run}`))).body;
    expect((await scim.request('DELETE', `/Users/${other.id}`)).status).toBe(204);
    expect((await scim.request('GET', `/Users/${other.id}`)).status).toBe(404);
    expect((await flow.requester.get(`/api/identities/${other.id}`)).body.active).toBe(false);
  });

  it("the engine's outbound SCIM connector, pointed at this /scim/v2, is a second client: joiner, mover, leaver", async () => {
    const connector = new ScimConnector(
      {
        id: 'peer',
        name: 'Peer engine',
        connector: 'scim',
        fulfillment: 'automatic',
        settings: { baseUrl: `${system.apiUrl}/scim/v2`, tokenEnv: 'PEER_TOKEN' },
      },
      { PEER_TOKEN: system.tokens['hr-feed'] },
    );
    try {
      expect((await connector.test()).ok).toBe(true);
      const login = `sc${run}`;
      const order = (
        changeType: 'Added' | 'Modified' | 'Deleted',
        attributes: Record<string, unknown>,
        n: number,
      ) => ({
        orderId: `o-${n}`,
        attempt: 1,
        changeType,
        connectionId: 'peer',
        resourceTypeId: 'peer_account',
        identityId: `upstream-${login}`,
        entitlementId: 'peer_only',
        changes: { accountKey: login, attributes },
      });
      await connector.apply(
        order(
          'Added',
          { givenName: 'Cy', familyName: 'Peer', email: `${login}@example.test`, department: 'IT' },
          1,
        ),
      );
      const [created] = (
        await scim.request('GET', `/Users?filter=${encodeURIComponent(`userName eq "${login}"`)}`)
      ).body.Resources;
      expect(created).toMatchObject({ externalId: `upstream-${login}`, [ENTERPRISE]: { department: 'IT' } });
      await connector.apply(order('Modified', { department: 'Legal' }, 2));
      expect((await flow.requester.get(`/api/identities/${created.id}`)).body.department).toBe('Legal');
      await connector.apply(order('Deleted', {}, 3));
      expect((await flow.requester.get(`/api/identities/${created.id}`)).body.active).toBe(false);
      expect((await connector.readAll()).accounts.find((a) => a.accountKey === login)).toBeUndefined();
    } finally {
      await connector.close();
    }
  });

  it('HR file: dry run, the leaver threshold, a forced real run, the same file again changes nothing', async () => {
    const people = Array.from({ length: 30 }, (_, i) => ({
      id: `hr${run}-${i}`,
      login: `hr${run}${i}`,
      department: i < 3 ? 'Finance' : 'IT',
    }));
    const csv = (rows: typeof people) =>
      [
        'id,login,firstName,lastName,email,department',
        ...rows.map((p) => `${p.id},${p.login},Hana,Ro${p.id},${p.login}@example.test,${p.department}`),
      ].join('\n');
    const feed = system.client('hr-feed');
    const active = (await flow.requester.get('/api/identities?limit=1000')).body.filter(
      (i: { active: boolean }) => i.active,
    ).length;

    const dry = await importPopulation(feed, csv(people), { dryRun: 'true', limit: '5' });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      dryRun: true,
      counts: { joiners: 30, movers: 0, leavers: active, unchanged: 0 },
      leaverThresholdExceeded: true,
      changes: { total: 30 + active, limit: 5 },
    });
    expect(dry.body.changes.items).toHaveLength(5);
    expect((await flow.requester.get(`/api/identities/${people[0].id}`)).status).toBe(404); // nothing written

    const refused = await importPopulation(feed, csv(people));
    expect(refused).toMatchObject({ status: 409, body: { code: 'LeaverThresholdExceeded' } });
    const forced = await importPopulation(feed, csv(people), { force: 'true' });
    expect(forced.body).toMatchObject({ applied: 30 + active, failed: [] });
    expect((await flow.requester.get(`/api/identities/${people[0].id}`)).body).toMatchObject({
      login: people[0].login,
      active: true,
      department: 'Finance',
    });

    const again = await importPopulation(feed, csv(people));
    expect(again.body).toMatchObject({
      counts: { joiners: 0, movers: 0, leavers: 0, unchanged: 30 },
      applied: 0,
    });

    // Next day's file: one mover, one leaver (1 of 30: under the threshold), one joiner, as JSON lines.
    const next = [
      ...people.slice(1).map((p, i) => (i === 0 ? { ...p, department: 'Legal' } : p)),
      { id: `hr${run}-new`, login: `hr${run}new`, department: 'IT' },
    ];
    const jsonl = next
      .map((p) =>
        JSON.stringify({
          id: p.id,
          login: p.login,
          firstName: 'Hana',
          lastName: `Ro${p.id}`,
          email: `${p.login}@example.test`,
          department: p.department,
        }),
      )
      .join('\n');
    const applied = await importPopulation(feed, jsonl, {}, 'application/x-ndjson');
    expect(applied.body).toMatchObject({
      counts: { joiners: 1, movers: 1, leavers: 1, unchanged: 28 },
      applied: 3,
      failed: [],
    });
    expect((await flow.requester.get(`/api/identities/${people[0].id}`)).body.active).toBe(false);
    expect((await flow.requester.get(`/api/identities/${people[1].id}`)).body.department).toBe('Legal');
  });

  it('HR file: every bad line is named with its field and nothing is applied; other roles may not import', async () => {
    const feed = system.client('hr-feed');
    const text = 'id,login,firstName,lastName,email\nok1,ok1,A,B,ok1@example.test\nbad,,A,B,not-mail\n';
    const refused = await importPopulation(feed, text);
    expect(refused).toMatchObject({ status: 400, body: { code: 'ImportInvalid' } });
    expect(refused.body.details).toEqual([
      { line: 3, field: 'login', message: 'login is required' },
      { line: 3, field: 'email', message: 'email must be an e-mail address (name@domain)' },
    ]);
    expect((await flow.requester.get('/api/identities/ok1')).status).toBe(404);
    expect((await importPopulation(flow.requester, text, { dryRun: 'true' })).status).toBe(403);
    expect((await importPopulation(feed, '{}', {}, 'application/pdf')).status).toBe(415);
  });
});
