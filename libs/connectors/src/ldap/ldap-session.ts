import { Client, type Entry } from 'ldapts';
import { PermanentConnectorError, scrubSecrets } from '../errors';
import type { LdapOperation } from './ldap-groups';
import { LDAP_RESULT, ldapResultCode, toLdapConnectorError } from './ldap-errors';
import type { LdapConnectorSettings } from './ldap-settings';

/**
 * The LdapConnector's connections to the directory: `connections` clients bound with the
 * connection's credentials, used in turn, and the one way operations run on them (`op`), which
 * turns directory errors into connector errors with the password scrubbed.
 */
export class LdapSession {
  /** `connections` clients; operations go round-robin. The first one also answers test(). */
  private readonly clients: Client[];
  private readonly binding = new Map<Client, Promise<void>>();
  private nextClient = 0;
  private isClosed = false;

  constructor(
    private readonly connectionId: string,
    private readonly settings: LdapConnectorSettings,
  ) {
    const { url, timeoutMs, tls, connections } = this.settings;
    const client = () =>
      new Client({
        url,
        timeout: timeoutMs,
        connectTimeout: timeoutMs,
        // A connection the server dropped is re-opened by ldapts on the next operation; replaying
        // the bind keeps that operation from running anonymously (and failing as "insufficient access").
        autoRebind: true,
        // ldapts switches to TLS as soon as tlsOptions holds a value, so they are given for ldaps:// only.
        ...(url.toLowerCase().startsWith('ldaps://')
          ? {
              tlsOptions: { rejectUnauthorized: tls.rejectUnauthorized, ...(tls.ca ? { ca: [tls.ca] } : {}) },
            }
          : {}),
      });
    this.clients = Array.from({ length: connections }, client);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  scrub = (message: string): string => scrubSecrets(message, [this.settings.bindPassword]);

  get client(): Client {
    return this.clients[0];
  }

  /**
   * One bound client, in turn. The steps of one order may run on different connections: each
   * step waits for the previous one's answer, and the directory answers a write once it is done.
   */
  async bound(): Promise<Client> {
    const client = this.clients[this.nextClient];
    this.nextClient = (this.nextClient + 1) % this.clients.length;
    if (this.isClosed) {
      throw new PermanentConnectorError(`ldap connection '${this.connectionId}' is closed`, {
        code: 'CLOSED',
      });
    }
    if (!client.isBound) {
      // Concurrent orders share one bind instead of racing several on the same connection.
      let binding = this.binding.get(client);
      if (!binding) {
        binding = client
          .bind(this.settings.bindDn, this.settings.bindPassword)
          .finally(() => this.binding.delete(client));
        this.binding.set(client, binding);
      }
      try {
        await binding;
      } catch (error) {
        throw toLdapConnectorError(
          error,
          this.scrub,
          `bind as ${this.settings.bindDn} to ${this.settings.url}`,
        );
      }
    }
    return client;
  }

  op: LdapOperation = async (context, work, expected = []) => {
    const client = await this.bound();
    try {
      await work(client);
      return undefined;
    } catch (error) {
      const code = ldapResultCode(error);
      if (code !== undefined && expected.includes(code)) return code;
      throw toLdapConnectorError(error, this.scrub, context);
    }
  };

  /** The entry with the given attributes, or undefined when there is none at that DN. */
  async readEntry(dn: string, attributes: string[]): Promise<Entry | undefined> {
    let found: Entry | undefined;
    await this.op(
      `read ${dn}`,
      async (client) => (found = (await client.search(dn, { scope: 'base', attributes })).searchEntries[0]),
      [LDAP_RESULT.noSuchObject],
    );
    return found;
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await Promise.all(this.clients.map((c) => c.unbind().catch(() => undefined)));
  }
}
