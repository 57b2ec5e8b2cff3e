import { PermanentConnectorError } from '../errors';
import type { KeyedQueue } from '../concurrency';
import { PATCH_OP, scimFilter, vanished, type ScimClient, type ScimListResponse } from './scim-client';

/**
 * Group membership on a SCIM service: the group an entitlement grants is the Group whose
 * displayName equals the order's `group`, created when missing. Membership is changed with PATCH
 * on the Group (RFC 7644 §3.5.2), because User.groups is read-only (RFC 7643 §4.1.2).
 */

export const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export interface ScimGroup {
  id: string;
  displayName?: string;
  members?: Array<{ value?: string }>;
  meta?: { created?: string };
}

function hasMember(group: ScimGroup, userId: string): boolean {
  return group.members?.some((m) => m.value === userId) ?? false;
}

export class ScimGroups {
  constructor(
    private readonly client: ScimClient,
    private readonly queue: KeyedQueue,
  ) {}

  /**
   * Groups with exactly this displayName, oldest first. SCIM does not require displayName to be
   * unique; when a service allows duplicates, every order picks the same one (the oldest).
   * A group found only case-insensitively is not it: readAll reports names as stored.
   */
  async find(displayName: string): Promise<ScimGroup[]> {
    const list = await this.client.json<ScimListResponse<ScimGroup>>({
      method: 'GET',
      path: '/Groups',
      query: { filter: scimFilter('displayName', displayName) },
    });
    const created = (g: ScimGroup) => String(g.meta?.created ?? '');
    return (list.Resources ?? [])
      .filter((g) => g.displayName === displayName)
      .sort((a, b) => created(a).localeCompare(created(b)) || a.id.localeCompare(b.id));
  }

  /** Makes the user a member of the group (creating the group when missing); nothing if it is one. */
  async addMember(displayName: string, userId: string): Promise<void> {
    let groups = await this.find(displayName);
    if (groups.some((g) => hasMember(g, userId))) return;
    if (groups.length === 0) {
      // Serialised per group within this agent, so that two accounts granted a new group at once
      // create it once; another agent's creation shows up as 409 and is found again.
      await this.queue.run(`group:${displayName}`, async () => {
        groups = await this.find(displayName);
        if (groups.length > 0) return;
        const created = await this.client.send({
          method: 'POST',
          path: '/Groups',
          body: { schemas: [SCIM_GROUP], displayName, members: [{ value: userId }] },
          accept: [409],
        });
        groups =
          created.status === 409 ? await this.find(displayName) : [created.body as unknown as ScimGroup];
      });
      if (groups.some((g) => hasMember(g, userId))) return;
      if (groups.length === 0) {
        throw new PermanentConnectorError(
          `SCIM POST /Groups answered 409 for '${displayName}', yet no group has that displayName`,
          { code: '409' },
        );
      }
    }
    const path = `/Groups/${encodeURIComponent(groups[0].id)}`;
    const body = {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }],
    };
    const patched = await this.client.send({ method: 'PATCH', path, body, accept: [404] });
    // Deleted by someone since the lookup: a retry finds (or creates) the group again.
    if (patched.status === 404) throw vanished(`SCIM PATCH ${path}`, 'group');
  }

  /** Removes the user from every group of that name that holds it; a group already gone is fine. */
  async removeMember(displayName: string, userId: string): Promise<void> {
    for (const group of await this.find(displayName)) {
      if (!hasMember(group, userId)) continue;
      await this.client.send({
        method: 'PATCH',
        path: `/Groups/${encodeURIComponent(group.id)}`,
        body: {
          schemas: [PATCH_OP],
          Operations: [{ op: 'remove', path: `members[${scimFilter('value', userId)}]` }],
        },
        accept: [404],
      });
    }
  }

  /** True when some group (of any name, managed or not) still has the user as a member. */
  async hasAnyMember(userId: string): Promise<boolean> {
    const { status, body } = await this.client.send({
      method: 'GET',
      path: '/Groups',
      query: { filter: scimFilter('members.value', userId), startIndex: 1, count: 1, attributes: 'id' },
      // A service provider without groups (another engine's /scim/v2) has no /Groups: no member anywhere.
      accept: [404],
    });
    if (status === 404) return false;
    const list = (body ?? {}) as ScimListResponse<unknown>;
    return (list.totalResults ?? list.Resources?.length ?? 0) > 0;
  }
}
