import { actorOf } from '../console-sessions';
import { personFromClaims } from './person-from-claims';

const settings = {
  rolesClaim: 'groups',
  nameClaim: 'name',
  roleMapping: [
    { group: 'iam-admins', role: 'admin' as const },
    { group: 'reviewers', role: 'reviewer' as const },
    { group: 'staff', role: 'requester' as const },
  ],
};

describe('a person from the provider claims', () => {
  it('takes the role of the first mapped group they belong to, and their name', () => {
    expect(
      personFromClaims({ sub: 'rita', name: 'Rita Reviewer', groups: ['staff', 'reviewers'] }, settings),
    ).toEqual({
      person: { subject: 'rita', name: 'Rita Reviewer', role: 'reviewer' },
    });
    expect(personFromClaims({ sub: 'ada', groups: ['reviewers', 'iam-admins'] }, settings)).toEqual({
      person: { subject: 'ada', name: 'ada', role: 'admin' },
    });
  });

  it('accepts a single group given as text', () => {
    expect(personFromClaims({ sub: 'sam', name: 'Sam', groups: 'staff' }, settings)).toMatchObject({
      person: { role: 'requester' },
    });
  });

  it('refuses a person without a mapped group, saying which groups would do', () => {
    expect(personFromClaims({ sub: 'eve', groups: ['visitors'] }, settings)).toEqual({
      refused:
        "none of your groups (claim 'groups') gives a role here; ask to be added to one of: iam-admins, reviewers, staff",
    });
    expect(personFromClaims({ groups: ['staff'] }, settings)).toEqual({
      refused: 'the provider sent no subject (sub)',
    });
  });
});

describe('the actor of a person', () => {
  it('is their name with the subject, or the subject alone', () => {
    expect(actorOf({ subject: 'rita', name: 'Rita Reviewer' })).toBe('Rita Reviewer (rita)');
    expect(actorOf({ subject: 'rita', name: 'rita' })).toBe('rita');
  });

  it('keeps control characters out of the audit trail and stays under the actor limit', () => {
    expect(actorOf({ subject: 'x\u0000y', name: 'A\nB\u202e' })).toBe('A B (xy)');
    expect(actorOf({ subject: 's'.repeat(500), name: 'n'.repeat(500) }).length).toBeLessThanOrEqual(200);
  });
});
