import { AndFilter, Attribute, Change, EqualityFilter, type Client } from 'ldapts';
import type { ApplyProgress } from '../connector';
import { KeyedGathering } from '../concurrency';
import { LDAP_RESULT } from './ldap-errors';
import { escapeDnValue } from './ldap-values';

/**
 * Group memberships as groupOfNames entries cn=<group>,<groupsDn>, written so that every step can
 * be repeated and two agents can work on one group at the same time.
 *
 * groupOfNames requires at least one `member`. A group is created with the member being added;
 * when its last member leaves, the group is kept and holds the empty DN as placeholder member
 * (swapped in by one modify that adds the placeholder and deletes the member, so a concurrent
 * add never races a deletion). The group keeps its entryUUID, its other attributes and whatever
 * ACLs or applications refer to it by DN; synchronization ignores the placeholder, which names
 * no entry; the next member added replaces it the same atomic way.
 */
export const EMPTY_GROUP_PLACEHOLDER = '';

/** Runs one operation on the bound client; a result code in `expected` is returned instead of thrown. */
export type LdapOperation = (
  context: string,
  work: (client: Client) => Promise<unknown>,
  expected?: number[],
) => Promise<number | undefined>;

const { noSuchAttribute, attributeOrValueExists, noSuchObject, objectClassViolation, entryAlreadyExists } =
  LDAP_RESULT;

function memberChange(operation: 'add' | 'delete', dn: string | string[]): Change {
  const values = typeof dn === 'string' ? [dn] : dn;
  return new Change({ operation, modification: new Attribute({ type: 'member', values }) });
}

/** Members added to one group in one modify at most (ADR 0058). */
const MEMBERS_PER_MODIFY = 64;
/** The longest a group's next modify waits after one (ADR 0078). */
const MOST_REST_MS = 1_000;

/**
 * A group's next modify waits as long as the last one took, unless a whole modify's members wait
 * (ADR 0078): the directory decodes the whole member list for every modify, so back to back
 * modifies of a few members each keep it busy with the group whatever the rate; resting as long
 * as it worked halves that, and the next modify carries the members of both.
 */
const restAfterGroupModify = (modifyMs: number) => Math.min(modifyMs, MOST_REST_MS);

export class LdapGroups {
  /** Groups seen without a placeholder (by DN as generated here): members are added with a plain modify. */
  private readonly withoutPlaceholder = new Set<string>();
  /** Members added to a group without a placeholder at the same time share one modify (ADR 0058). */
  private readonly gathering = new KeyedGathering<{ group: string; memberDn: string }>(
    (dn, members) => this.addMembers(dn, members),
    MEMBERS_PER_MODIFY,
    restAfterGroupModify,
  );

  /** Groups whose state a first member is finding out: members that come meanwhile wait for it. */
  private readonly learning = new Map<string, Promise<void>>();

  constructor(
    private readonly groupsDn: string,
    private readonly op: LdapOperation,
  ) {}

  groupDn(group: string): string {
    return `cn=${escapeDnValue(group)},${this.groupsDn}`;
  }

  /**
   * Makes `memberDn` a member of the group, creating the group when missing; already a member is
   * fine. One modify adds the member and drops the placeholder of an emptied group; a group
   * without a placeholder answers noSuchAttribute to it (nothing written) and the member is added
   * alone. That failed modify would be a second operation for nearly every order (issue 11), so
   * groups found without a placeholder get the plain add first from then on, until this connector
   * empties them. Another agent may empty such a group meanwhile: the plain add then leaves the
   * placeholder beside the new member, which names no entry and is ignored like in an empty group.
   * (Permissive modify does not help: slapd with memberof still refuses deleting an absent value.)
   */
  async addMember(group: string, memberDn: string, progress?: ApplyProgress): Promise<void> {
    const dn = this.groupDn(group);
    if (this.withoutPlaceholder.has(dn)) return this.gather(dn, { group, memberDn }, progress);
    const learning = this.learning.get(dn);
    if (learning) {
      // Each alone would be two modifies of a group that may hold tens of thousands, one after
      // the other in the directory: after a restart that queue outlasted the operation timeout
      // (ADR 0071). One wait at most: whatever the first found, this member goes on after it.
      await learning;
      if (this.withoutPlaceholder.has(dn)) return this.gather(dn, { group, memberDn }, progress);
      return this.addMemberAlone(group, memberDn);
    }
    const first = this.addMemberAlone(group, memberDn);
    const settled = first.catch(() => undefined);
    this.learning.set(dn, settled);
    void settled.then(() => this.learning.get(dn) === settled && this.learning.delete(dn));
    return first;
  }

  /**
   * The member joins the group's next modify. From here the order only waits for a write that
   * carries it with the others: its caller may start another order meanwhile (ADR 0077), so that
   * the members of one modify are as many as came while the last one ran, not as many as the
   * caller runs orders at once. A group's modify slows as the group grows (the directory decodes
   * its whole member list for each); more members per modify is what keeps pace with it.
   */
  private gather(dn: string, member: { group: string; memberDn: string }, progress?: ApplyProgress) {
    progress?.sharingWrite();
    return this.gathering.run(dn, member);
  }

  /**
   * Members being added to one group at the same time, in one modify: the directory rewrites the
   * group entry (its whole member list) once for all of them instead of once each, which for a
   * group of thousands is most of its work per order (slapd: 0.46 ms of CPU per member added
   * alone, 0.11 ms in tens). A modify is all or nothing: when it is refused (a member there
   * already, the group gone, any error) nothing was written, and each member is added alone,
   * with its own answer.
   */
  private async addMembers(
    dn: string,
    members: { group: string; memberDn: string }[],
  ): Promise<PromiseSettledResult<void>[]> {
    if (members.length > 1) {
      const values = [...new Set(members.map((m) => m.memberDn))];
      const added = await this.op(
        `add ${values.length} members to ${dn}`,
        (c) => c.modify(dn, memberChange('add', values)),
        [attributeOrValueExists, noSuchObject],
      ).then(
        (refused) => refused === undefined,
        () => false,
      );
      if (added) return members.map(() => ({ status: 'fulfilled', value: undefined }));
    }
    return Promise.allSettled(members.map((m) => this.addMemberAlone(m.group, m.memberDn)));
  }

  /** One member, with every case of the group's state (see addMember). */
  private async addMemberAlone(group: string, memberDn: string): Promise<void> {
    const dn = this.groupDn(group);
    const context = `add ${memberDn} to ${dn}`;
    const add = memberChange('add', memberDn);
    const plainAdd = () => this.op(context, (c) => c.modify(dn, add), [attributeOrValueExists, noSuchObject]);
    let missing: boolean;
    if (this.withoutPlaceholder.has(dn)) {
      missing = (await plainAdd()) === noSuchObject;
    } else {
      const withPlaceholder = await this.op(
        context,
        (c) => c.modify(dn, [add, memberChange('delete', EMPTY_GROUP_PLACEHOLDER)]),
        [noSuchAttribute, attributeOrValueExists, noSuchObject],
      );
      if (withPlaceholder === undefined || withPlaceholder === attributeOrValueExists) return;
      missing = withPlaceholder === noSuchObject || (await plainAdd()) === noSuchObject;
      if (!missing) this.rememberWithoutPlaceholder(dn);
    }
    if (!missing) return;
    this.withoutPlaceholder.delete(dn);
    const created = await this.op(
      `create ${dn} with member ${memberDn}`,
      (c) => c.add(dn, { objectClass: 'groupOfNames', cn: group, member: memberDn }),
      [entryAlreadyExists],
    );
    // Someone created the group in between: join it.
    if (created === entryAlreadyExists)
      await this.op(context, (c) => c.modify(dn, add), [attributeOrValueExists]);
    this.rememberWithoutPlaceholder(dn);
  }

  private rememberWithoutPlaceholder(dn: string): void {
    // A connection's groups are few (one per entitlement); the bound only guards against a surprise.
    if (this.withoutPlaceholder.size >= 10_000) this.withoutPlaceholder.clear();
    this.withoutPlaceholder.add(dn);
  }

  /** Removes `memberDn` from the group; not a member, or no such group, is fine. */
  async removeMember(group: string, memberDn: string): Promise<void> {
    const dn = this.groupDn(group);
    const context = `remove ${memberDn} from ${dn}`;
    const removed = await this.op(context, (c) => c.modify(dn, memberChange('delete', memberDn)), [
      noSuchAttribute,
      noSuchObject,
      objectClassViolation,
    ]);
    if (removed !== objectClassViolation) return;
    // It was the last member: the placeholder takes its place in one modify.
    this.withoutPlaceholder.delete(dn);
    await this.op(
      context,
      (c) => c.modify(dn, [memberChange('add', EMPTY_GROUP_PLACEHOLDER), memberChange('delete', memberDn)]),
      [noSuchAttribute, noSuchObject, attributeOrValueExists],
    );
  }

  /** Whether the entry is still a member of any group under groupsDn (its other groups do not count). */
  async hasAnyMembership(memberDn: string): Promise<boolean> {
    let found = false;
    const filter = new AndFilter({
      filters: [
        new EqualityFilter({ attribute: 'objectClass', value: 'groupOfNames' }),
        new EqualityFilter({ attribute: 'member', value: memberDn }),
      ],
    });
    await this.op(
      `search ${this.groupsDn} for groups of ${memberDn}`,
      async (c) =>
        (found =
          (await c.search(this.groupsDn, { scope: 'one', filter, attributes: ['1.1'] })).searchEntries
            .length > 0),
    );
    return found;
  }
}
