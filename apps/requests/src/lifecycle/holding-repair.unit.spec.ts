import type { IdentityState } from '@prov/domain';
import { holdingRepair } from './holding-repair';

const identity = (
  active: boolean,
  holdings: Record<string, { assignmentId: string; holders: Array<'request' | `rule:${string}`> }> = {},
): IdentityState =>
  ({
    exists: true,
    identityId: 'amartin',
    login: 'amartin',
    firstName: 'A',
    lastName: 'Martin',
    email: 'a@example.test',
    attributes: {},
    active,
    holdings,
  }) as IdentityState;

const legacy = { assignmentId: 'a-1', entitlementId: 'ldap_staff' };

describe('holdingRepair: live assignments missing from the identity holdings', () => {
  it('given an active identity without a holding of the entitlement, when backfilled, then the request holds it', () => {
    expect(holdingRepair(identity(true), legacy)).toEqual({ action: 'hold' });
  });

  it('given a deactivated identity, when backfilled, then the assignment the leaver missed is revoked', () => {
    expect(holdingRepair(identity(false), legacy)).toEqual({ action: 'revoke' });
    expect(
      holdingRepair(identity(false, { ldap_staff: { assignmentId: 'a-0', holders: ['request'] } }), legacy),
    ).toEqual({ action: 'revoke' });
  });

  it('given the assignment already held, when backfilled again, then nothing is done (idempotent)', () => {
    const held = identity(true, { ldap_staff: { assignmentId: 'a-1', holders: ['request'] } });
    expect(holdingRepair(held, legacy)).toEqual({ action: 'none', reason: 'held' });
    const leaverWillRevoke = identity(false, { ldap_staff: { assignmentId: 'a-1', holders: ['request'] } });
    expect(holdingRepair(leaverWillRevoke, legacy)).toEqual({ action: 'none', reason: 'held' });
  });

  it('given another assignment holding the entitlement, when backfilled, then it is reported as a duplicate', () => {
    const other = identity(true, { ldap_staff: { assignmentId: 'a-0', holders: ['rule:staff'] } });
    expect(holdingRepair(other, legacy)).toEqual({ action: 'none', reason: 'duplicate' });
  });

  it('given an identity that is not registered, when backfilled, then nothing is done', () => {
    expect(holdingRepair({ exists: false }, legacy)).toEqual({ action: 'none', reason: 'unknown-identity' });
  });
});
