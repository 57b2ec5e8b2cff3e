import { PermanentConnectorError } from './errors';
import { assertMayTakeOver, takeOverRefusal } from './ownership';

const added = {
  changeType: 'Added' as const,
  connectionId: 'corp_ldap',
  changes: { accountKey: 'jdoe', attributes: {} },
};

describe('taking over an existing account', () => {
  it('refuses an Added order on an account the engine did not make, naming the differing attributes', () => {
    expect(takeOverRefusal(added, { madeByEngine: false, differing: ['mail', 'cn'] }, false)).toBe(
      "account 'jdoe' already exists on connection 'corp_ldap' and was not created by the engine (cn, mail differ " +
        "from this order's values); the engine does not take over accounts it did not create: remove or rename the " +
        'account, or set adoptExisting: true on the connection',
    );
    expect(() => assertMayTakeOver(added, { madeByEngine: false, differing: ['mail'] }, undefined)).toThrow(
      PermanentConnectorError,
    );
  });

  it('takes it over when the connection says adoptExisting', () => {
    expect(takeOverRefusal(added, { madeByEngine: false, differing: ['mail'] }, true)).toBeUndefined();
  });

  it('converges on an account the engine made (its mark), or that already shows what the order writes (redelivery)', () => {
    expect(takeOverRefusal(added, { madeByEngine: true, differing: ['mail'] }, false)).toBeUndefined();
    expect(takeOverRefusal(added, { madeByEngine: false, differing: [] }, false)).toBeUndefined();
    expect(
      takeOverRefusal(added, { madeByEngine: false, differing: ['userPassword', 'unicodePwd'] }, false),
    ).toBeUndefined();
  });

  it('leaves Modified and Deleted orders alone: they are for accounts the engine manages', () => {
    for (const changeType of ['Modified', 'Deleted'] as const)
      expect(
        takeOverRefusal({ ...added, changeType }, { madeByEngine: false, differing: ['mail'] }, false),
      ).toBeUndefined();
  });
});
