import type { Environment, RoleModelConnection } from '@prov/role-model';
import { Client } from 'ldapts';
import type {
  ApplyOutcome,
  ConnectionTestResult,
  Connector,
  OrderToApply,
  SynchronizedResources,
} from '../connector';
import { PermanentConnectorError, scrubSecrets } from '../errors';
import { retryableOnce } from '../concurrency';
import { checkOrder } from '../order-check';
import { AdAccounts } from './ad-accounts';
import { AdGroups } from './ad-groups';
import {
  LDAP_NO_SUCH_OBJECT,
  ldapResultCode,
  LDAP_ENTRY_ALREADY_EXISTS,
  toAdConnectorError,
} from './ad-errors';
import { AdReader, firstValue, type AdChangesSince } from './ad-reader';
import { readAdSettings, AD_PASSWORD_ATTRIBUTE, type AdConnectorSettings } from './ad-settings';
import { firstRdn, ldapValues } from './ad-values';
import { connectionSecretsEnvironment } from '@prov/config';

/**
 * Provisions Active Directory (or Samba AD) over LDAPS:
 *
 *   users   CN=<accountKey>,<usersDn>, sAMAccountName = accountKey, userPrincipalName =
 *           accountKey@upnSuffix, the order's attributes (those listed in settings.attributes)
 *   groups  CN=<group>,<groupsDn>, global security groups, created when first granted
 *
 * The CN is the accountKey rather than the display name: it is unique where display names are
 * not (two John Smiths), and it never has to be renamed when a name changes.
 *
 * Every order is applied idempotently, because JetStream may deliver it again: each step reads
 * the entry first or treats "already there" / "already gone" answers as success. Added and
 * Modified converge the account's attributes and add the membership; only Added (re-)enables an
 * account, so that a Modified never undoes a lock an administrator put on it. Deleted with a
 * group removes that membership and keeps the account; Deleted without a group deletes the
 * account, or disables it when onDelete is `disable`.
 */
export class AdConnector implements Connector {
  private readonly settings: AdConnectorSettings;
  private readonly client: Client;
  private readonly reader: AdReader;
  private readonly accounts: AdAccounts;
  private readonly groups: AdGroups;
  private closed = false;

  constructor(
    private readonly connection: RoleModelConnection,
    env: Environment = connectionSecretsEnvironment(),
  ) {
    this.settings = readAdSettings(connection, env);
    this.client = this.newClient(true);
    this.reader = new AdReader(this.settings, () => this.session());
    this.accounts = new AdAccounts(this.settings, this.reader, () => this.session());
    this.groups = new AdGroups(this.settings, () => this.session());
  }

  private newClient(autoRebind: boolean): Client {
    const { url, timeoutMs, tls } = this.settings;
    return new Client({
      url,
      timeout: timeoutMs,
      connectTimeout: timeoutMs,
      tlsOptions: {
        rejectUnauthorized: tls.rejectUnauthorized,
        ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
      },
      // The server drops idle connections; the next operation reconnects and must be bound again.
      autoRebind,
    });
  }

  private scrub(message: string, extra: string[] = []): string {
    return scrubSecrets(message, [this.settings.bindPassword, this.settings.initialPassword, ...extra]);
  }

  /** One bound connection per connector, bound on first use; a failed bind is tried again next time. */
  private session(): Promise<Client> {
    if (this.closed) {
      return Promise.reject(new PermanentConnectorError(`ad connection '${this.connection.id}' is closed`));
    }
    return this.bind();
  }

  private readonly bind = retryableOnce(() =>
    this.client.bind(this.settings.bindDn, this.settings.bindPassword).then(() => this.client),
  );

  /** Creates usersDn and groupsDn when they are OUs that do not exist yet; once per connector. */
  private readonly ensureContainers = retryableOnce(() => this.createContainers());

  private async createContainers(): Promise<void> {
    const client = await this.session();
    for (const [setting, dn] of [
      ['usersDn', this.settings.usersDn],
      ['groupsDn', this.settings.groupsDn],
    ] as const) {
      if (await this.exists(client, dn)) continue;
      const rdn = firstRdn(dn);
      if (rdn.type.toLowerCase() !== 'ou') {
        throw new PermanentConnectorError(
          `settings.${setting} ${dn} does not exist (only an OU=... is created)`,
          {
            code: String(LDAP_NO_SUCH_OBJECT),
          },
        );
      }
      try {
        await client.add(dn, { objectClass: 'organizationalUnit', ou: rdn.value });
      } catch (error) {
        if (ldapResultCode(error) !== LDAP_ENTRY_ALREADY_EXISTS) throw error; // another agent was faster
      }
    }
  }

  private async exists(client: Client, dn: string): Promise<boolean> {
    try {
      await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['objectClass'] });
      return true;
    } catch (error) {
      if (ldapResultCode(error) === LDAP_NO_SUCH_OBJECT) return false;
      throw error;
    }
  }

  async apply(order: OrderToApply): Promise<ApplyOutcome> {
    checkOrder(order, this.connection.id, { blankIsEmpty: true });
    const { accountKey, group } = order.changes;
    // The order's own password must not leak through a message either.
    const orderPassword = ldapValues(order.changes.attributes[AD_PASSWORD_ATTRIBUTE]);
    try {
      await this.ensureContainers();
      if (order.changeType === 'Deleted') {
        const user = await this.accounts.find(accountKey);
        if (!user) return {}; // already gone: its memberships went with it
        if (group !== undefined) await this.groups.removeMembership(user.dn, group);
        else await this.accounts.remove(user);
        return {};
      }
      const { dn, passwordSet } = await this.accounts.ensure(order, this.connection.adoptExisting);
      if (group !== undefined) await this.groups.addMembership(dn, group);
      return { passwordSet };
    } catch (error) {
      throw toAdConnectorError(error, (m) => this.scrub(m, orderPassword));
    }
  }

  /** Every account and membership under usersDn/groupsDn, built-in objects left out (see AdReader). */
  async readAll(): Promise<SynchronizedResources> {
    try {
      return await this.reader.readAll();
    } catch (error) {
      throw toAdConnectorError(error, (m) => this.scrub(m));
    }
  }

  /**
   * Incremental synchronization (optional, AD-specific): what changed since a USN of this DC.
   * Start with nextUsn from a first call (or 0 for everything); see AdReader.readChangedSince.
   */
  async readChangedSince(sinceUsn: number): Promise<AdChangesSince> {
    try {
      return await this.reader.readChangedSince(sinceUsn);
    } catch (error) {
      throw toAdConnectorError(error, (m) => this.scrub(m));
    }
  }

  /** Binds with the configured account on a connection of its own and reads the rootDSE and both DNs. */
  async test(): Promise<ConnectionTestResult> {
    const client = this.newClient(false);
    try {
      await client.bind(this.settings.bindDn, this.settings.bindPassword);
      const root = await client.search('', {
        scope: 'base',
        attributes: ['dnsHostName', 'defaultNamingContext'],
      });
      const rootDse = root.searchEntries[0];
      const notes: string[] = [];
      for (const [setting, dn] of [
        ['usersDn', this.settings.usersDn],
        ['groupsDn', this.settings.groupsDn],
      ] as const) {
        if (await this.exists(client, dn)) continue;
        if (firstRdn(dn).type.toLowerCase() !== 'ou')
          return { ok: false, message: `${setting} ${dn} does not exist` };
        notes.push(`${setting} ${dn} will be created`);
      }
      const host = (rootDse && firstValue(rootDse, 'dnsHostName')) ?? new URL(this.settings.url).hostname;
      const domain = (rootDse && firstValue(rootDse, 'defaultNamingContext')) ?? '?';
      return {
        ok: true,
        message: [`bound to ${host} (${domain}) as ${this.settings.bindDn}`, ...notes].join('; '),
      };
    } catch (error) {
      return { ok: false, message: toAdConnectorError(error, (m) => this.scrub(m)).message };
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.unbind().catch(() => undefined);
  }
}
