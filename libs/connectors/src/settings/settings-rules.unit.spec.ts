import { isDn, unknownKeys, wholeNumber } from './settings-rules';

describe('settings rules', () => {
  it('hold LDAP and AD DNs to one rule: type=value pairs, escaped commas and spaces allowed', () => {
    for (const dn of [
      'ou=people,dc=example,dc=com',
      'OU=People, DC=example, DC=com',
      'CN=Martin\\, Alice,OU=Users,DC=corp',
    ])
      expect(isDn(dn)).toBe(true);
    for (const dn of ['', 'admin', 'ou=people,', '=x,dc=example', 'ou=people,,dc=x', 42])
      expect(isDn(dn)).toBe(false);
  });

  it('name an unknown key, the known ones and the closest one when it looks like a typo', () => {
    const problems: string[] = [];
    unknownKeys(
      { pageSise: 10, colour: 'red' },
      ['pageSize', 'timeoutMs'],
      '',
      'a setting of the x connector',
      problems,
    );
    expect(problems).toEqual([
      "settings.pageSise is not a setting of the x connector (known: pageSize, timeoutMs); did you mean 'pageSize'?",
      'settings.colour is not a setting of the x connector (known: pageSize, timeoutMs)',
    ]);
  });

  it('say the range of a whole number, with or without an upper bound', () => {
    const problems: string[] = [];
    expect(wholeNumber({ a: 0, b: 1.5 }, 'a', 7, problems, { max: 10 })).toBe(7);
    expect(wholeNumber({ a: 0, b: 1.5 }, 'b', 7, problems)).toBe(7);
    expect(wholeNumber({}, 'c', 7, problems)).toBe(7);
    expect(problems).toEqual([
      'settings.a must be a whole number from 1 to 10',
      'settings.b must be a whole number of at least 1',
    ]);
  });
});
