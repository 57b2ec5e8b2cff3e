import { birthrightChanges } from './birthright';

const finance = { ruleId: 'finance', entitlementId: 'ldap_finance' };

describe('birthright changes: what rules grant and release for one identity', () => {
  it('grants what a rule gives and no rule holds yet', () => {
    expect(birthrightChanges({}, [finance], { active: true })).toEqual({ grant: [finance], release: [] });
  });

  it('grants nothing already held by the same rule, even when a request holds it too', () => {
    const holdings = {
      ldap_finance: { assignmentId: 'a-1', holders: ['request' as const, 'rule:finance' as const] },
    };
    expect(birthrightChanges(holdings, [finance], { active: true })).toEqual({ grant: [], release: [] });
  });

  it('adds the rule as a holder of an entitlement a request holds', () => {
    const holdings = { ldap_finance: { assignmentId: 'a-1', holders: ['request' as const] } };
    expect(birthrightChanges(holdings, [finance], { active: true }).grant).toEqual([finance]);
  });

  it('releases a rule hold when the rule stops holding or no longer exists; never a request', () => {
    const holdings = {
      ldap_finance: { assignmentId: 'a-1', holders: ['rule:finance' as const] },
      ldap_staff: { assignmentId: 'a-2', holders: ['request' as const, 'rule:gone' as const] },
    };
    expect(birthrightChanges(holdings, [], { active: true })).toEqual({
      grant: [],
      release: [finance, { ruleId: 'gone', entitlementId: 'ldap_staff' }],
    });
  });

  it('leaves the holds of a rule whose evaluation failed', () => {
    const holdings = { ldap_finance: { assignmentId: 'a-1', holders: ['rule:finance' as const] } };
    expect(birthrightChanges(holdings, [], { active: true, unsettledRuleIds: ['finance'] })).toEqual({
      grant: [],
      release: [],
    });
  });

  it('grants nothing to a deactivated identity and releases its rule holds', () => {
    const holdings = { ldap_finance: { assignmentId: 'a-1', holders: ['rule:finance' as const] } };
    expect(birthrightChanges(holdings, [finance], { active: false })).toEqual({
      grant: [],
      release: [finance],
    });
  });
});
