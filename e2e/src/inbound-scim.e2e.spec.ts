import { ENTERPRISE, inboundSystem, ScimTestClient, scimUserBody } from './inbound-fixture';
import { hrFileFlows } from './inbound-hr-file-test-cases';
import { scimLifecycleFlows } from './inbound-scim-lifecycle-test-cases';

jest.setTimeout(300_000);

/**
 * Inbound identities through the whole system: an HR system or identity provider as a SCIM
 * client of /scim/v2 (plain HTTP, independent of the engine's code), the engine's own outbound
 * SCIM connector as a second client, and the HR file feed. The sample's corp_ldap on a real
 * slapd shows that the lifecycle follows (birthright group on a department move, revocation on
 * a leaver). The file feed runs last: a full population deactivates everyone it does not list.
 *
 * They share one system (a start is dear on the CI machine): the lifecycle and the file feed are
 * modules that this describe registers, in the order they run: the SCIM protocol here, then
 * inbound-scim-lifecycle-test-cases.ts, then inbound-hr-file-test-cases.ts.
 */
describe('inbound: SCIM 2.0 service provider and HR file feed, end to end', () => {
  const inbound = inboundSystem();
  const { bed, run } = inbound;

  it('the discovery endpoints parse and say what is supported; only hr-feed and admin tokens get in', async () => {
    const { system, scim } = bed;
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
    const { flow, scim } = bed;
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
    const { scim } = bed;
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

  scimLifecycleFlows(inbound);
  hrFileFlows(inbound);
});
