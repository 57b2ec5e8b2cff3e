import type { IdentityRecord } from '@prov/read-models';
import { ENTERPRISE_USER, fromScimUser, normalisePatch, ScimInputError, toScimUser } from './scim-user';

const record: IdentityRecord = {
  id: 'id-1',
  login: 'amartin',
  firstName: 'Alice',
  lastName: 'Martin',
  email: 'alice@example.test',
  department: 'Finance',
  attributes: { externalId: 'HR-1', employeeNumber: 701, manager: 'boss', badge: 'B-7' },
  active: true,
  registeredAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  revision: 3,
};

describe('SCIM User ⇄ identity', () => {
  it('an identity as a SCIM User: login as userName, source attributes, meta with the revision as version', () => {
    expect(toScimUser(record)).toEqual({
      id: 'id-1',
      externalId: 'HR-1',
      userName: 'amartin',
      name: { givenName: 'Alice', familyName: 'Martin', formatted: 'Alice Martin' },
      displayName: 'Alice Martin',
      emails: [{ value: 'alice@example.test', type: 'work', primary: true }],
      active: true,
      [ENTERPRISE_USER]: { department: 'Finance', employeeNumber: '701', manager: { value: 'boss' } },
      meta: {
        resourceType: 'User',
        created: '2026-01-01T00:00:00.000Z',
        lastModified: '2026-01-02T00:00:00.000Z',
        version: expect.stringMatching(/^W\/"[\w-]{22}"$/),
      },
    });
  });

  it('the version changes with what SCIM shows, not with the stream revision (assignments append there too)', () => {
    const version = toScimUser(record).meta.version;
    expect(toScimUser({ ...record, revision: 9, updatedAt: '2026-02-01T00:00:00.000Z' }).meta.version).toBe(
      version,
    );
    expect(toScimUser({ ...record, department: 'IT' }).meta.version).not.toBe(version);
    expect(toScimUser({ ...record, active: false }).meta.version).not.toBe(version);
  });

  it('round trip: the identity read back from its SCIM User is the same', () => {
    const user = toScimUser(record) as unknown as Record<string, unknown>;
    expect(fromScimUser(user)).toEqual({
      login: 'amartin',
      firstName: 'Alice',
      lastName: 'Martin',
      email: 'alice@example.test',
      department: 'Finance',
      externalId: 'HR-1',
      employeeNumber: '701',
      manager: 'boss',
      active: true,
    });
  });

  it('the primary e-mail address, else the first', () => {
    const base = { userName: 'x', name: { givenName: 'A', familyName: 'B' } };
    const emails = [{ value: 'first@example.test' }, { value: 'main@example.test', primary: true }];
    expect(fromScimUser({ ...base, emails }).email).toBe('main@example.test');
    expect(fromScimUser({ ...base, emails: [emails[0]] }).email).toBe('first@example.test');
  });

  it.each([
    [{ name: { givenName: 'A', familyName: 'B' }, emails: [{ value: 'a@b.c' }] }, 'userName is required'],
    [
      { userName: 'x', name: { familyName: 'B' }, emails: [{ value: 'a@b.c' }] },
      'name.givenName is required',
    ],
    [{ userName: 'x', name: { givenName: 'A', familyName: 'B' } }, 'emails is required'],
    [
      { userName: 'x', name: { givenName: 'A', familyName: 'B' }, emails: [{ value: 'nope' }] },
      'emails must hold an e-mail address',
    ],
    [
      { userName: 'x'.repeat(101), name: { givenName: 'A', familyName: 'B' }, emails: [{ value: 'a@b.c' }] },
      'userName must be at most 100',
    ],
  ])('refuses a User the identity cannot hold, naming the attribute (%#)', (user, message) => {
    expect(() => fromScimUser(user)).toThrow(ScimInputError);
    expect(() => fromScimUser(user)).toThrow(message);
  });

  it('coerces Entra ID\'s "True"/"False" for active in PATCH, and nothing else', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'replace', value: { active: 'True', displayName: 'False' } },
        { op: 'replace', path: 'displayName', value: 'True' },
      ],
    };
    expect((normalisePatch(body) as typeof body).Operations).toEqual([
      { op: 'Replace', path: 'active', value: false },
      { op: 'replace', value: { active: true, displayName: 'False' } },
      { op: 'replace', path: 'displayName', value: 'True' },
    ]);
    expect(normalisePatch('not a patch')).toBe('not a patch');
  });
});
