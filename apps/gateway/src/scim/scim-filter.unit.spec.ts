import fc from 'fast-check';
import SCIMMY from 'scimmy';
import { matchesFilter, ScimFilterError, sortUsers } from './scim-filter';
import { ENTERPRISE_USER, type ScimUser } from './scim-user';

function user(id: string, over: Partial<ScimUser> & { department?: string } = {}): ScimUser {
  const { department, ...rest } = over;
  return {
    id,
    userName: `user.${id}`,
    name: { givenName: 'Ann', familyName: `Lee${id}`, formatted: `Ann Lee${id}` },
    displayName: `Ann Lee${id}`,
    emails: [{ value: `${id}@example.test`, type: 'work', primary: true }],
    active: true,
    ...(department
      ? { [ENTERPRISE_USER]: { department, employeeNumber: `E${id}`, manager: { value: 'boss' } } }
      : {}),
    meta: {
      resourceType: 'User',
      created: '2026-01-01T00:00:00.000Z',
      lastModified: `2026-0${id}-01T00:00:00.000Z`,
      version: 'W/"1"',
    },
    ...rest,
  };
}

const users = [
  user('1', { externalId: 'HR-1', department: 'Finance' }),
  user('2', { active: false, userName: 'Bob.Stone' }),
  user('3', { department: 'IT' }),
];

/** Ids of the users the filter text selects, parsed by SCIMMY as the controller does. */
const select = (filter: string) =>
  users.filter((u) => matchesFilter([...new SCIMMY.Types.Filter(filter)], u)).map((u) => u.id);

describe('SCIM filters on the supported attributes', () => {
  it.each([
    ['userName eq "BOB.STONE"', ['2']], // caseExact false: case does not matter
    ['userName sw "user."', ['1', '3']],
    ['externalId eq "HR-1"', ['1']],
    ['externalId eq "hr-1"', []], // caseExact true
    ['externalId pr', ['1']],
    ['emails co "3@example"', ['3']],
    ['emails.value ew ".test"', ['1', '2', '3']],
    ['emails[type eq "work" and value sw "2@"]', ['2']],
    ['name.familyName eq "lee3" or name.givenName eq "nobody"', ['3']],
    ['active eq false', ['2']],
    ['active eq "True"', ['1', '3']],
    ['meta.lastModified gt "2026-01-15T00:00:00Z" and active eq true', ['3']],
    ['meta.lastModified le "2026-02-01T00:00:00Z"', ['1', '2']],
    [`${ENTERPRISE_USER}:department eq "finance"`, ['1']],
    [`${ENTERPRISE_USER}:manager eq "boss"`, ['1', '3']],
    ['not (userName sw "user.")', ['2']],
    ['userName ne "user.1"', ['2', '3']],
  ])('%s selects %j', (filter, ids) => {
    expect(select(filter)).toEqual(ids);
  });

  it.each([
    ['title eq "x"', /'title' cannot be filtered/],
    ['userName eq', /needs a value/],
    ['active gt true', /boolean/],
    ['meta.created gt "yesterday"', /date and time/],
  ])('refuses %s with a message naming the problem', (filter, message) => {
    expect(() => select(filter)).toThrow(ScimFilterError);
    expect(() => select(filter)).toThrow(message);
  });

  it('an or of two filters selects the union of what each selects; an and the intersection', () => {
    const atoms = [
      'userName sw "user."',
      'active eq true',
      'externalId pr',
      'emails co "2@"',
      `${ENTERPRISE_USER}:department pr`,
    ];
    fc.assert(
      fc.property(fc.constantFrom(...atoms), fc.constantFrom(...atoms), (a, b) => {
        const [x, y] = [new Set(select(a)), new Set(select(b))];
        expect(new Set(select(`${a} or ${b}`))).toEqual(new Set([...x, ...y]));
        expect(new Set(select(`${a} and ${b}`))).toEqual(new Set([...x].filter((id) => y.has(id))));
        expect(new Set(select(`not (${a})`))).toEqual(
          new Set(users.map((u) => u.id).filter((id) => !x.has(id))),
        );
      }),
    );
  });

  it('eq is case-insensitive on userName for any text', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9.]{1,12}$/), (name) => {
        const one = user('9', { userName: name });
        const filter = [...new SCIMMY.Types.Filter(`userName eq "${name.toUpperCase()}"`)];
        expect(matchesFilter(filter, one)).toBe(true);
      }),
    );
  });
});

describe('sortBy', () => {
  it('sorts by the attribute, missing values last, and reverses for descending', () => {
    expect(sortUsers(users, 'externalId', false).map((u) => u.id)).toEqual(['1', '2', '3']);
    expect(sortUsers(users, 'userName', false).map((u) => u.id)).toEqual(['2', '1', '3']);
    expect(sortUsers(users, 'meta.lastModified', true).map((u) => u.id)).toEqual(['3', '2', '1']);
    expect(() => sortUsers(users, 'nickName', false)).toThrow(ScimFilterError);
  });
});
