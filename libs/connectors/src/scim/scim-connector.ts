import type { Environment, RoleModelConnection } from '@prov/role-model';
import type { ConnectionTestResult, Connector, OrderToApply, SynchronizedResources } from '../connector';
import { KeyedQueue } from '../concurrency';
import { checkOrder, invalidOrder } from '../order-check';
import { assertMayTakeOver } from '../ownership';
import { PermanentConnectorError, scrubSecrets, TransientConnectorError } from '../errors';
import {
  newScimUser,
  orderAttributesOf,
  patchOperations,
  wantedScimValues,
  type ScimUser,
  type ScimValue,
} from './scim-attributes';
import { PATCH_OP, ScimClient, scimFilter, vanished, type ScimListResponse } from './scim-client';
import { ScimGroups, type ScimGroup } from './scim-groups';
import { readScimSettings, type ScimConnectorSettings } from './scim-settings';
import { connectionSecretsEnvironment } from '@prov/config';

/**
 * Provisions a SCIM 2.0 service provider (RFC 7643/7644): accounts are Users, the group an
 * entitlement grants is a Group (found by displayName, created when missing) with the user
 * among its members. Membership is changed on the Group because User.groups is read-only.
 *
 * Every step looks before it writes, so a redelivered order converges instead of failing:
 * Added/Modified find the user by `<key attribute> eq "<accountKey>"`, create it when absent (a
 * 409 uniqueness means someone else just did: look again and converge) or PATCH only what
 * differs, then add the membership unless it is there. Deleted removes the membership, then
 * deletes the user once no group holds it; whatever is already gone is success.
 *
 * SCIM has no transactions: within one connector, the orders of an account run one after the
 * other, so a Deleted cannot remove a user while an Added of the same user adds a membership.
 * Between several agent processes of one connection, that race remains (see the ADR/caveats).
 */

export class ScimConnector implements Connector {
  private readonly settings: ScimConnectorSettings;
  private readonly client: ScimClient;
  private readonly closing = new AbortController();
  /** Orders of one account run one after the other (see the class comment). */
  private readonly queue = new KeyedQueue();
  private readonly groups: ScimGroups;
  private closed = false;

  constructor(
    private readonly connection: RoleModelConnection,
    env: Environment = connectionSecretsEnvironment(),
  ) {
    this.settings = readScimSettings(connection, env);
    const scrub = (message: string) => scrubSecrets(message, [this.settings.token]);
    this.client = new ScimClient(
      this.settings.baseUrl,
      this.settings.token,
      this.settings.timeoutMs,
      this.closing.signal,
      scrub,
    );
    this.groups = new ScimGroups(this.client, this.queue);
  }

  private wantedValues(order: OrderToApply): Map<string, ScimValue> {
    try {
      return wantedScimValues(
        order.changes.accountKey,
        order.changes.attributes,
        this.settings.userNameAttribute,
      );
    } catch (error) {
      throw invalidOrder(order, this.connection.id, [(error as Error).message]);
    }
  }

  async apply(order: OrderToApply): Promise<void> {
    if (this.closed) {
      // Not the order's fault: the agent hands it to a fresh connector (or redelivers it).
      throw new TransientConnectorError(`connection '${this.connection.id}': the connector is closed`, {
        code: 'CLOSED',
      });
    }
    checkOrder(order, this.connection.id);
    const { accountKey } = order.changes;
    if (order.changeType === 'Deleted') {
      await this.queue.run(`user:${accountKey}`, () => this.remove(order));
      return;
    }
    const wanted = this.wantedValues(order);
    const previous = order.changeType === 'Modified' ? order.changes.previousAccountKey : undefined;
    await this.queue.run(`user:${accountKey}`, async () => {
      // A login change: the user is found under its previous key and its userName patched (a rename).
      let user = previous ? await this.findUser(previous) : undefined;
      user ??= await this.findUser(accountKey);
      let existed = user !== undefined;
      if (!user) {
        const body = newScimUser(wanted);
        // Correlation: without an externalId of its own, the account points back at the identity.
        body.externalId ??= order.identityId;
        const created = await this.client.send({ method: 'POST', path: '/Users', body, accept: [409] });
        if (created.status !== 409) user = created.body as ScimUser;
        else {
          // 409 uniqueness: created meanwhile (another agent, or by hand). Converge onto that one.
          user = await this.findUser(accountKey);
          existed = true;
          if (!user) {
            throw new PermanentConnectorError(
              `SCIM POST /Users answered 409 (${String(created.body?.scimType ?? 'conflict')}): ` +
                `${String(created.body?.detail ?? 'no detail given')}, yet no user has ${this.settings.userNameAttribute} '${accountKey}'`,
              { code: '409' },
            );
          }
        }
      }
      const operations = patchOperations(user, wanted);
      if (existed) {
        // The take-over rule (ownership.ts); the engine's mark is the identity in externalId.
        const madeByEngine =
          user.externalId !== undefined && user.externalId === (wanted.get('externalId') ?? order.identityId);
        assertMayTakeOver(
          order,
          { madeByEngine, differing: operations.map((o) => o.path) },
          this.connection.adoptExisting,
        );
      }
      if (!wanted.has('externalId') && !user.externalId) {
        operations.push({ op: 'add', path: 'externalId', value: order.identityId });
      }
      if (operations.length > 0) {
        const path = `/Users/${encodeURIComponent(user.id)}`;
        const body = { schemas: [PATCH_OP], Operations: operations };
        const patched = await this.client.send({ method: 'PATCH', path, body, accept: [404] });
        if (patched.status === 404) throw vanished(`SCIM PATCH ${path}`, 'user');
      }
      if (order.changes.group !== undefined) await this.groups.addMember(order.changes.group, user.id);
    });
  }

  private async remove(order: OrderToApply): Promise<void> {
    const { accountKey, group } = order.changes;
    const user = await this.findUser(accountKey);
    if (!user) return; // already gone, and its memberships with it
    if (group !== undefined) await this.groups.removeMember(group, user.id);
    // The account goes with its last membership (as in the SQL connector); an account-only
    // entitlement's Deleted order therefore keeps an account that other entitlements still use.
    if (await this.groups.hasAnyMember(user.id)) return;
    await this.client.send({
      method: 'DELETE',
      path: `/Users/${encodeURIComponent(user.id)}`,
      accept: [404],
    });
  }

  private async findUser(accountKey: string): Promise<ScimUser | undefined> {
    const key = this.settings.userNameAttribute;
    const list = await this.client.json<ScimListResponse<ScimUser>>({
      method: 'GET',
      path: '/Users',
      query: { filter: scimFilter(key, accountKey) },
    });
    // Only an exact match is the account: readAll reports the key as stored, and a user found
    // case-insensitively would never be seen as this order's account by synchronization.
    return (list.Resources ?? []).find((u) => u[key] === accountKey);
  }

  async readAll(): Promise<SynchronizedResources> {
    const { pageSize, userNameAttribute: key } = this.settings;
    const users = await this.client.listAll<ScimUser>('/Users', pageSize);
    const groups = await this.client
      .listAll<ScimGroup>('/Groups', pageSize, { attributes: 'displayName,members' })
      // A service provider without groups (another engine's /scim/v2) answers 404: no memberships.
      .catch((error: unknown) => {
        if (error instanceof PermanentConnectorError && error.code === '404') return [];
        throw error;
      });
    const keyById = new Map<string, string>();
    const accounts: SynchronizedResources['accounts'] = [];
    for (const user of users) {
      const accountKey = user[key];
      // Keyed by externalId, a user without one was not created by this engine: it is still
      // reported (under its userName) so that synchronization flags it as non-conforming.
      const reported =
        typeof accountKey === 'string' && accountKey !== '' ? accountKey : String(user.userName);
      keyById.set(user.id, reported);
      accounts.push({
        accountKey: reported,
        attributes: orderAttributesOf(user),
        disabled: user.active === false,
      });
    }
    const memberships: SynchronizedResources['memberships'] = [];
    for (const group of groups) {
      if (typeof group.displayName !== 'string') continue;
      for (const member of group.members ?? []) {
        // Members that are groups (nesting) or unknown ids are not accounts of this connector.
        const accountKey = member.value === undefined ? undefined : keyById.get(member.value);
        if (accountKey !== undefined) memberships.push({ accountKey, group: group.displayName });
      }
    }
    accounts.sort((a, b) => a.accountKey.localeCompare(b.accountKey));
    memberships.sort((a, b) => a.accountKey.localeCompare(b.accountKey) || a.group.localeCompare(b.group));
    return { accounts, memberships };
  }

  async test(): Promise<ConnectionTestResult> {
    try {
      const config = await this.client.json<Record<string, { supported?: boolean; maxResults?: number }>>({
        method: 'GET',
        path: '/ServiceProviderConfig',
      });
      // The connector cannot work without PATCH and filters; better said now than at the first order.
      const missing = ['patch', 'filter'].filter((feature) => config[feature]?.supported !== true);
      if (missing.length > 0) {
        return {
          ok: false,
          message: `the SCIM service does not support ${missing.join(' and ')}, which this connector needs`,
        };
      }
      // ServiceProviderConfig may be served without authentication (RFC 7644 §4): the token is checked here.
      const users = await this.client.json<ScimListResponse<unknown>>({
        method: 'GET',
        path: '/Users',
        query: { startIndex: 1, count: 1, attributes: 'id' },
      });
      return {
        ok: true,
        message: `SCIM service at ${this.settings.baseUrl} answered (${users.totalResults ?? 0} users; patch and filter supported)`,
      };
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
  }
}
