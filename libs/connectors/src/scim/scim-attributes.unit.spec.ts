import {
  CORE_USER,
  ENTERPRISE_USER,
  newScimUser,
  orderAttributesOf,
  patchOperations,
  SCIM_ATTRIBUTE_NAMES,
  wantedScimValues,
} from './scim-attributes';

describe('mapping order attributes to a SCIM User', () => {
  const attributes = {
    displayName: 'Jane Doe',
    givenName: 'Jane',
    familyName: 'Doe',
    email: 'jane@example.org',
    active: true,
    department: 'IT',
    employeeNumber: 4711,
  };

  it('builds the POST body: name parts, primary email, enterprise extension, key as userName', () => {
    const wanted = wantedScimValues('jdoe', attributes, 'userName');
    expect(newScimUser(wanted)).toEqual({
      schemas: [CORE_USER, ENTERPRISE_USER],
      userName: 'jdoe',
      displayName: 'Jane Doe',
      name: { givenName: 'Jane', familyName: 'Doe' },
      emails: [{ value: 'jane@example.org', type: 'work', primary: true }],
      active: true,
      [ENTERPRISE_USER]: { department: 'IT', employeeNumber: '4711' },
    });
  });

  it('reads a user back under the names the orders use, so that a created user is observed', () => {
    const wanted = wantedScimValues('jdoe', attributes, 'userName');
    const read = orderAttributesOf({ ...newScimUser(wanted), id: 'u1', externalId: 'i-1' });
    expect(read).toEqual({ ...attributes, employeeNumber: '4711', userName: 'jdoe', externalId: 'i-1' });
  });

  it('keys by externalId when configured so: userName then comes from the attributes or the key', () => {
    expect(newScimUser(wantedScimValues('E42', { userName: 'erin' }, 'externalId'))).toEqual({
      schemas: [CORE_USER],
      userName: 'erin',
      externalId: 'E42',
    });
    expect(newScimUser(wantedScimValues('E42', {}, 'externalId'))).toMatchObject({ userName: 'E42' });
  });

  it('turns texts for active into booleans and null or "" into "remove"', () => {
    const wanted = wantedScimValues(
      'x',
      { active: 'FALSE', title: '', nickName: null, locale: 7 },
      'userName',
    );
    expect(Object.fromEntries(wanted)).toEqual({
      active: false,
      title: null,
      nickName: null,
      locale: '7',
      userName: 'x',
    });
    expect(wantedScimValues('x', { active: 1 }, 'userName').get('active')).toBe(true);
  });

  it('refuses unknown names, unusable values and a key attribute contradicting the accountKey, all at once', () => {
    expect(() =>
      wantedScimValues(
        'jdoe',
        { shoeSize: 42, active: 'maybe', manager: { value: 'x' }, userName: 'other' },
        'userName',
      ),
    ).toThrow(
      `attribute shoeSize has no SCIM mapping (known: ${SCIM_ATTRIBUTE_NAMES.join(', ')}); ` +
        'attribute active must be true or false, got "maybe"; ' +
        'attribute manager has no SCIM mapping' +
        ` (known: ${SCIM_ATTRIBUTE_NAMES.join(', ')}); ` +
        "attribute userName must equal the accountKey 'jdoe' (it is the account's key)",
    );
    expect(() => wantedScimValues('x', { title: ['a'] }, 'userName')).toThrow(
      'attribute title must be a text, a number or a boolean, got ["a"]',
    );
  });
});

describe('PATCH operations for a SCIM User', () => {
  const user = {
    id: 'u1',
    userName: 'jdoe',
    displayName: 'Jane Doe',
    name: { givenName: 'Jane', familyName: 'Doe' },
    title: 'Engineer',
    active: true,
    emails: [
      { value: 'home@example.org', type: 'home' },
      { value: 'jane@example.org', type: 'work', primary: true },
    ],
    [ENTERPRISE_USER]: { costCenter: '7' },
  };

  it('writes nothing when the values are there (7 and "7", true and "true" are equal)', () => {
    const wanted = wantedScimValues(
      'jdoe',
      { displayName: 'Jane Doe', email: 'jane@example.org', active: 'true', costCenter: 7, nickName: null },
      'userName',
    );
    expect(patchOperations(user, wanted)).toEqual([]);
  });

  it('replaces what differs, removes what is set to null, with sub-attribute and extension paths', () => {
    const wanted = wantedScimValues(
      'jdoe',
      { familyName: 'Smith', title: null, active: false, costCenter: '8', division: 'R&D' },
      'userName',
    );
    expect(patchOperations(user, wanted)).toEqual([
      { op: 'replace', path: 'name.familyName', value: 'Smith' },
      { op: 'remove', path: 'title' },
      { op: 'replace', path: 'active', value: false },
      { op: 'replace', path: `${ENTERPRISE_USER}:costCenter`, value: '8' },
      { op: 'replace', path: `${ENTERPRISE_USER}:division`, value: 'R&D' },
    ]);
  });

  it('changes the primary email and keeps the other entries', () => {
    expect(patchOperations(user, wantedScimValues('jdoe', { email: 'new@example.org' }, 'userName'))).toEqual(
      [
        {
          op: 'replace',
          path: 'emails',
          value: [
            { value: 'new@example.org', type: 'work', primary: true },
            { value: 'home@example.org', type: 'home', primary: false },
          ],
        },
      ],
    );
    expect(patchOperations(user, wantedScimValues('jdoe', { email: null }, 'userName'))).toEqual([
      { op: 'replace', path: 'emails', value: [{ value: 'home@example.org', type: 'home', primary: false }] },
    ]);
    const single = { id: 'u2', userName: 'x', emails: [{ value: 'a@b.c' }] };
    expect(patchOperations(single, wantedScimValues('x', { email: '' }, 'userName'))).toEqual([
      { op: 'remove', path: 'emails' },
    ]);
    // Without a primary flag, the first entry counts as the primary one.
    expect(orderAttributesOf(single)).toEqual({ userName: 'x', email: 'a@b.c' });
  });
});
