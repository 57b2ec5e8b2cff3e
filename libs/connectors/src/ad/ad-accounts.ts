import { Attribute, Change, escapeFilter, type Client, type Entry } from 'ldapts';
import type { OrderToApply } from '../connector';
import { PermanentConnectorError } from '../errors';
import { assertMayTakeOver } from '../ownership';
import { LDAP_ENTRY_ALREADY_EXISTS, LDAP_NO_SUCH_OBJECT, ldapResultCode } from './ad-errors';
import { attributeValues, firstValue, type AdReader } from './ad-reader';
import { renameUser } from './ad-rename';
import { AD_PASSWORD_ATTRIBUTE, type AdConnectorSettings } from './ad-settings';
import { childDn, encodeUnicodePwd, ldapValues, UAC_ACCOUNTDISABLE, UAC_NORMAL_ACCOUNT } from './ad-values';

export interface AdUser {
  dn: string;
  userAccountControl: number;
  /** pwdLastSet = 0: created without a password (an interrupted creation) or "must change at next logon". */
  passwordNeverSet: boolean;
  entry: Entry;
}

/**
 * The writes behind AdConnector.apply, each one converging: it reads first, or takes the answers
 * "already exists" / "already gone" as success, so that a redelivered order changes nothing.
 */
export class AdAccounts {
  constructor(
    private readonly settings: AdConnectorSettings,
    private readonly reader: AdReader,
    private readonly session: () => Promise<Client>,
  ) {}

  /** The user with this sAMAccountName under usersDn. Built-in accounts are refused, not managed. */
  async find(accountKey: string): Promise<AdUser | undefined> {
    const filter = escapeFilter`(&(objectClass=user)(!(objectClass=computer))(sAMAccountName=${accountKey}))`;
    const attributes = [...this.reader.userAttributes(), 'pwdLastSet', 'isCriticalSystemObject'];
    const [entry] = await this.reader.search(this.settings.usersDn, filter, attributes);
    if (!entry) return undefined;
    if (firstValue(entry, 'isCriticalSystemObject') === 'TRUE') {
      throw new PermanentConnectorError(
        `account '${accountKey}' (${entry.dn}) is a built-in account of the domain; the connector does not manage it`,
        { code: 'BUILT_IN' },
      );
    }
    return {
      dn: entry.dn,
      userAccountControl: Number(firstValue(entry, 'userAccountControl') ?? UAC_NORMAL_ACCOUNT),
      passwordNeverSet: firstValue(entry, 'pwdLastSet') === '0',
      entry,
    };
  }

  /**
   * Added/Modified: the user exists with the order's attributes, and an Added one is enabled.
   * Returns its DN, and whether it was given the password (created now, or its creation finished).
   */
  async ensure(order: OrderToApply, adoptExisting = false): Promise<{ dn: string; passwordSet: boolean }> {
    const { accountKey } = order.changes;
    const wanted = this.wantedAttributes(order);
    const password =
      ldapValues(order.changes.attributes[AD_PASSWORD_ATTRIBUTE])[0] ?? this.settings.initialPassword;
    const previous = order.changeType === 'Modified' ? order.changes.previousAccountKey : undefined;
    // A login change names the account's previous key: the user is found there and renamed.
    let user = previous && previous !== accountKey ? await this.rename(previous, accountKey) : undefined;
    user ??= await this.find(accountKey);
    if (!user) {
      try {
        return { dn: await this.create(accountKey, wanted, password), passwordSet: true };
      } catch (error) {
        if (ldapResultCode(error) !== LDAP_ENTRY_ALREADY_EXISTS) throw error;
        user = await this.find(accountKey); // a concurrent delivery of the same order created it
        if (!user) throw error; // the name is taken by another entry: the directory's message says which
      }
    }
    const differing = [...wanted].filter(
      ([name, values]) => !sameValues(attributeValues(user.entry, name), values),
    );
    // The take-over rule (ownership.ts). AD keeps no mark of who created a user: the values tell.
    assertMayTakeOver(
      order,
      { madeByEngine: false, differing: differing.map(([name]) => name) },
      adoptExisting,
    );
    const changes = differing.map(
      ([name, values]) =>
        new Change({ operation: 'replace', modification: new Attribute({ type: name, values }) }),
    );
    const client = await this.session();
    if (changes.length > 0) await client.modify(user.dn, changes);
    let passwordSet = false;
    if (order.changeType === 'Added' && (user.userAccountControl & UAC_ACCOUNTDISABLE) !== 0) {
      if (user.passwordNeverSet) {
        // Refused by the password policy: the account stays disabled, as it was.
        await this.setPassword(user.dn, requirePassword(accountKey, password));
        passwordSet = true;
      }
      await this.setUserAccountControl(user.dn, user.userAccountControl & ~UAC_ACCOUNTDISABLE);
    }
    return { dn: user.dn, passwordSet };
  }

  /**
   * The user under `previous`, renamed to `accountKey` (ad-rename.ts); undefined when there is
   * none (never created, or renamed already: a redelivery finds it under the new key).
   */
  private async rename(previous: string, accountKey: string): Promise<AdUser | undefined> {
    const old = await this.find(previous);
    if (!old) return undefined;
    if (await this.find(accountKey)) {
      throw new PermanentConnectorError(
        `cannot rename account '${previous}' to '${accountKey}': an account '${accountKey}' exists already`,
        { code: 'RENAME_TARGET_EXISTS' },
      );
    }
    await renameUser(await this.session(), old, previous, accountKey, this.settings.upnSuffix);
    return this.find(accountKey);
  }

  /**
   * Created disabled, then given its password, then enabled: a password the domain refuses never
   * leaves an enabled account without one. On refusal the new entry is deleted again, so that a
   * corrected order starts clean and synchronization does not report a stray disabled account.
   */
  private async create(
    accountKey: string,
    wanted: Map<string, string[]>,
    password: string | undefined,
  ): Promise<string> {
    const initial = requirePassword(accountKey, password);
    const client = await this.session();
    const dn = childDn('CN', accountKey, this.settings.usersDn);
    const entry: Record<string, string[]> = {
      objectClass: ['user'],
      sAMAccountName: [accountKey],
      userPrincipalName: [`${accountKey}@${this.settings.upnSuffix}`],
      userAccountControl: [String(UAC_NORMAL_ACCOUNT | UAC_ACCOUNTDISABLE)],
    };
    for (const [name, values] of wanted) if (values.length > 0) entry[name] = values;
    await client.add(dn, entry);
    try {
      await this.setPassword(dn, initial);
    } catch (error) {
      await client.del(dn).catch(() => undefined); // if even that fails, the account is disabled
      throw error;
    }
    await this.setUserAccountControl(dn, UAC_NORMAL_ACCOUNT);
    return dn;
  }

  /** Deleted without a group: the account goes, or is disabled (onDelete: disable) and keeps its groups. */
  async remove(user: AdUser): Promise<void> {
    const client = await this.session();
    if (this.settings.onDelete === 'disable') {
      if ((user.userAccountControl & UAC_ACCOUNTDISABLE) === 0) {
        await this.setUserAccountControl(user.dn, user.userAccountControl | UAC_ACCOUNTDISABLE);
      }
      return;
    }
    await client.del(user.dn).catch((error: unknown) => {
      if (ldapResultCode(error) !== LDAP_NO_SUCH_OBJECT) throw error;
    });
  }

  /** An administrator's password set: one replace of unicodePwd (a user's own change would be delete+add). */
  private async setPassword(dn: string, password: string): Promise<void> {
    const client = await this.session();
    const modification = new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd(password)] });
    await client.modify(dn, new Change({ operation: 'replace', modification }));
  }

  private async setUserAccountControl(dn: string, value: number): Promise<void> {
    const client = await this.session();
    const modification = new Attribute({ type: 'userAccountControl', values: [String(value)] });
    await client.modify(dn, new Change({ operation: 'replace', modification }));
  }

  /** The order's attributes under their configured spelling, minus the password; others are refused. */
  private wantedAttributes(order: OrderToApply): Map<string, string[]> {
    const known = new Map(this.settings.attributes.map((a) => [a.toLowerCase(), a]));
    const wanted = new Map<string, string[]>();
    const unknown: string[] = [];
    for (const [name, value] of Object.entries(order.changes.attributes)) {
      if (name === AD_PASSWORD_ATTRIBUTE) continue;
      const canonical = known.get(name.toLowerCase());
      if (canonical === undefined) unknown.push(name);
      else wanted.set(canonical, ldapValues(value));
    }
    if (unknown.length > 0) {
      // Written but never read back, such an attribute would keep the order from being verified.
      throw new PermanentConnectorError(
        `order ${order.orderId}: attribute(s) ${unknown.join(', ')} are not in settings.attributes ` +
          `(${this.settings.attributes.join(', ')})`,
        { code: 'INVALID_ORDER' },
      );
    }
    return wanted;
  }
}

function requirePassword(accountKey: string, password: string | undefined): string {
  if (password !== undefined) return password;
  throw new PermanentConnectorError(
    `account '${accountKey}' needs an initial password: map a '${AD_PASSWORD_ATTRIBUTE}' attribute ` +
      `in the resource type or set settings.initialPasswordEnv`,
    { code: 'NO_PASSWORD' },
  );
}

function sameValues(current: string[], wanted: string[]): boolean {
  if (current.length !== wanted.length) return false;
  const a = [...current].sort();
  const b = [...wanted].sort();
  return a.every((value, i) => value === b[i]);
}
