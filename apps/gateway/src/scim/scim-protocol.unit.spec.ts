import { declareScimProtocol, type ScimUserStore } from './scim-protocol';
import { ENTERPRISE_USER, type ScimUser } from './scim-user';

const SCIMMY = declareScimProtocol();
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** One user in memory: what SCIMMY hands the store on a PATCH is what the gateway would write. */
function storeWith(user: ScimUser) {
  const written: Array<Record<string, unknown>> = [];
  const store: ScimUserStore = {
    get: async () => user,
    put: async (_id, next) => {
      written.push(next);
      return { ...user, ...next } as ScimUser;
    },
    remove: async () => undefined,
  };
  return { store, written };
}

const alice: ScimUser = {
  id: 'a1',
  userName: 'amartin',
  name: { givenName: 'Alice', familyName: 'Martin', formatted: 'Alice Martin' },
  displayName: 'Alice Martin',
  emails: [{ value: 'alice@example.test', type: 'work', primary: true }],
  active: true,
  [ENTERPRISE_USER]: { department: 'IT' },
  meta: {
    resourceType: 'User',
    created: '2026-01-01T00:00:00.000Z',
    lastModified: '2026-01-01T00:00:00.000Z',
    version: 'W/"1"',
  },
};

describe('the SCIM protocol as SCIMMY runs it for the gateway', () => {
  it('PATCH with paths, value filters and extension attributes hands the patched User to the store', async () => {
    const { store, written } = storeWith(alice);
    await new SCIMMY.Resources.User('a1').patch(
      {
        schemas: [PATCH],
        Operations: [
          { op: 'replace', path: `${ENTERPRISE_USER}:department`, value: 'Finance' },
          { op: 'replace', path: 'emails[type eq "work"].value', value: 'alice.m@example.test' },
          { op: 'add', path: 'externalId', value: 'HR-1' },
          { op: 'replace', value: { active: false } },
        ],
      },
      store,
    );
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({
      userName: 'amartin',
      externalId: 'HR-1',
      active: false,
      emails: [{ value: 'alice.m@example.test', type: 'work', primary: true }],
      [ENTERPRISE_USER]: { department: 'Finance' },
    });
  });

  it('PATCH remove of the department leaves the User without it', async () => {
    const { store, written } = storeWith(alice);
    await new SCIMMY.Resources.User('a1').patch(
      { schemas: [PATCH], Operations: [{ op: 'remove', path: `${ENTERPRISE_USER}:department` }] },
      store,
    );
    expect((written[0][ENTERPRISE_USER] as Record<string, unknown> | undefined)?.department).toBeUndefined();
  });

  it('a PATCH on an attribute the engine does not keep is refused with a SCIM error', async () => {
    const { store } = storeWith(alice);
    await expect(
      new SCIMMY.Resources.User('a1').patch(
        { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'CFO' }] },
        store,
      ),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('the schemas describe exactly the attributes kept', async () => {
    const list = (await new SCIMMY.Resources.Schema().read()) as unknown as {
      Resources: Array<{ id: string; attributes: Array<{ name: string }> }>;
    };
    const names = Object.fromEntries(list.Resources.map((s) => [s.id, s.attributes.map((a) => a.name)]));
    expect(names['urn:ietf:params:scim:schemas:core:2.0:User']).toEqual([
      'userName',
      'name',
      'displayName',
      'active',
      'emails',
    ]);
    expect(names[ENTERPRISE_USER]).toEqual(['employeeNumber', 'department', 'manager']);
  });

  it('ServiceProviderConfig says what is supported: PATCH, filter, sort, ETag; no bulk', async () => {
    const config = JSON.parse(JSON.stringify(await new SCIMMY.Resources.ServiceProviderConfig().read()));
    expect(config).toMatchObject({
      patch: { supported: true },
      filter: { supported: true, maxResults: 200 },
      sort: { supported: true },
      etag: { supported: true },
      bulk: { supported: false },
      changePassword: { supported: false },
      authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
    });
  });
});
