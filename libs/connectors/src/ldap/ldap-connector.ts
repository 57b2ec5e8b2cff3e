import type { Environment, RoleModelConnection } from '@prov/role-model';
import { Attribute, Change, GreaterThanEqualsFilter, type Entry } from 'ldapts';
import type {
  ApplyOutcome,
  ApplyProgress,
  ConnectionTestResult,
  Connector,
  OrderToApply,
  SynchronizedResources,
} from '../connector';
import { KeyedQueue } from '../concurrency';
import { assertMayTakeOver } from '../ownership';
import { LdapGroups, type LdapOperation } from './ldap-groups';
import { LDAP_RESULT, toLdapConnectorError } from './ldap-errors';
import { readLdapSettings, type LdapConnectorSettings } from './ldap-settings';
import { readDirectory, type DirectoryContent } from './ldap-read';
import { LdapSession } from './ldap-session';
import {
  childRdnValue,
  entryAttribute,
  entryValues,
  escapeDnValue,
  generalizedTime,
  orderAttributes,
} from './ldap-values';
import { connectionSecretsEnvironment } from '@prov/config';

/** What `readChangedSince` found: entries modified since `since`; `groups` are listed with their whole membership. */
export interface LdapChangedResources extends DirectoryContent {
  since: Date;
}

const PERSON_CLASSES = new Set(['inetorgperson', 'organizationalperson', 'person']);

/**
 * Provisions accounts and group memberships in an LDAP directory (OpenLDAP, 389-ds...):
 *
 *   account     <rdnAttribute>=<accountKey>,<accountsDn>, of `objectClasses` (inetOrgPerson)
 *   membership  the account's DN in `member` of cn=<group>,<groupsDn> (groupOfNames)
 *
 * LDAP has no transactions, so every step is written to be repeatable: Added/Modified create the
 * account or replace only the attributes that differ, and add the membership (already there is
 * fine); Deleted removes the membership, then deletes (or marks disabled) the account once it is
 * in none of the connector's groups; anything already in the wanted state is success. Orders of
 * one account are applied one after the other within a connector, so that a revocation and a
 * grant of the same account arriving together cannot interleave their check-then-write steps.
 */
export class LdapConnector implements Connector {
  private readonly settings: LdapConnectorSettings;
  private readonly session: LdapSession;
  private readonly op: LdapOperation;
  private readonly groups: LdapGroups;
  /** Orders of one account run one after the other (see the class comment). */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly connection: RoleModelConnection,
    env: Environment = connectionSecretsEnvironment(),
  ) {
    this.settings = readLdapSettings(connection, env);
    this.session = new LdapSession(connection.id, this.settings);
    this.op = this.session.op;
    this.groups = new LdapGroups(this.settings.groupsDn, this.op);
  }

  private accountDn(key: string): string {
    return `${this.settings.rdnAttribute}=${escapeDnValue(key)},${this.settings.accountsDn}`;
  }

  async apply(order: OrderToApply, progress?: ApplyProgress): Promise<ApplyOutcome> {
    const desired = orderAttributes(order, this.connection.id);
    const target = await this.queue.run(order.changes.accountKey.toLowerCase(), () =>
      order.changeType === 'Deleted' ? this.applyDeleted(order) : this.applyPresent(order, desired, progress),
    );
    return { target };
  }

  /** Returns the DN of the account entry. */
  private async applyPresent(
    order: OrderToApply,
    desired: Map<string, string[]>,
    progress?: ApplyProgress,
  ): Promise<string> {
    const { accountKey, group } = order.changes;
    const { rdnAttribute, disabledAttribute } = this.settings;
    // The order renames the account when it maps the naming attribute to another single value.
    const wanted = [...desired].find(([name]) => name.toLowerCase() === rdnAttribute.toLowerCase())?.[1];
    const rdnValue = wanted?.length === 1 ? wanted[0] : accountKey;
    const attributes = [disabledAttribute, 'creatorsName', ...desired.keys()];
    const previous = order.changeType === 'Modified' ? order.changes.previousAccountKey : undefined;
    let dn: string;
    if (order.changeType === 'Added' && rdnValue === accountKey) {
      // A grant is usually for an account that is not there yet: add it straight away, one
      // operation instead of a read and an add; an entry already there answers
      // entryAlreadyExists, writes nothing, and is read and converged (take-over rule included).
      dn = await this.create(order, rdnValue, desired);
    } else {
      // A login change names the account's previous key: the entry is found there and renamed (modrdn).
      let entry = previous ? await this.session.readEntry(this.accountDn(previous), attributes) : undefined;
      entry ??= await this.session.readEntry(this.accountDn(accountKey), attributes);
      // A redelivered rename finds the account under its new name already.
      if (!entry && rdnValue !== accountKey)
        entry = await this.session.readEntry(this.accountDn(rdnValue), attributes);
      if (entry) this.checkTakeOver(order, entry, desired);
      dn = entry
        ? await this.converge(entry, rdnValue, desired)
        : await this.create(order, rdnValue, desired);
    }
    if (group !== undefined) {
      // groupOfNames holds DNs, and OpenLDAP without the refint overlay does not follow a rename.
      if (previous && this.accountDn(previous).toLowerCase() !== dn.toLowerCase()) {
        await this.groups.removeMember(group, this.accountDn(previous));
      }
      await this.groups.addMember(group, dn, progress);
    }
    return dn;
  }

  /**
   * Adds the account. Person classes (inetOrgPerson) require cn and sn: when the role model maps
   * neither, cn defaults to the mapped displayName or else the account's name, sn to the name.
   * The defaults are written on creation only; a later order never overwrites them unless it maps them.
   */
  private async create(
    order: OrderToApply,
    rdnValue: string,
    desired: Map<string, string[]>,
  ): Promise<string> {
    const dn = this.accountDn(rdnValue);
    const attributes: Record<string, string[]> = { objectClass: this.settings.objectClasses };
    for (const [name, values] of desired) if (values.length > 0) attributes[name] = values;
    const has = (name: string) => Object.keys(attributes).some((k) => k.toLowerCase() === name.toLowerCase());
    if (!has(this.settings.rdnAttribute)) attributes[this.settings.rdnAttribute] = [rdnValue];
    if (this.settings.objectClasses.some((c) => PERSON_CLASSES.has(c.toLowerCase()))) {
      const displayName = [...desired].find(([name]) => name.toLowerCase() === 'displayname')?.[1][0];
      if (!has('cn')) attributes.cn = [displayName ?? rdnValue];
      if (!has('sn')) attributes.sn = [rdnValue];
    }
    const code = await this.op(`add ${dn}`, (c) => c.add(dn, attributes), [LDAP_RESULT.entryAlreadyExists]);
    if (code === undefined) return dn;
    // Created in between: by another agent of this connection (converge onto what it wrote), or by hand.
    const entry = await this.session.readEntry(dn, [
      this.settings.disabledAttribute,
      'creatorsName',
      ...desired.keys(),
    ]);
    if (entry) this.checkTakeOver(order, entry, desired);
    return entry ? this.converge(entry, rdnValue, desired) : dn;
  }

  /**
   * The take-over rule (ownership.ts). The directory's own mark: `creatorsName`, the DN that added
   * the entry, is the connection's bind DN for every entry the engine created.
   */
  private checkTakeOver(order: OrderToApply, entry: Entry, desired: Map<string, string[]>): void {
    const dnText = (dn: string) => dn.toLowerCase().replace(/\s*([,=])\s*/g, '$1');
    const creator = entryValues(entryAttribute(entry, 'creatorsName'))[0];
    const differing = [...desired]
      .filter(([name, values]) => {
        if (values.length === 0 && name.toLowerCase() === this.settings.rdnAttribute.toLowerCase())
          return false;
        const current = entryValues(entryAttribute(entry, name));
        return current.length !== values.length || current.some((v, i) => v !== values[i]);
      })
      .map(([name]) => name);
    const madeByEngine = creator !== undefined && dnText(creator) === dnText(this.settings.bindDn);
    assertMayTakeOver(order, { madeByEngine, differing }, this.connection.adoptExisting);
  }

  /** Renames when the naming value changed, then replaces only the attributes that differ. */
  private async converge(found: Entry, rdnValue: string, desired: Map<string, string[]>): Promise<string> {
    const { rdnAttribute, accountsDn, disabledAttribute, disabledValue } = this.settings;
    let entry = found;
    if (childRdnValue(entry.dn, rdnAttribute, accountsDn) !== rdnValue) {
      const newDn = this.accountDn(rdnValue);
      await this.op(`rename ${entry.dn} to ${newDn}`, (c) => c.modifyDN(entry.dn, newDn));
      entry = (await this.session.readEntry(newDn, [disabledAttribute, ...desired.keys()])) ?? entry;
    }
    const changes: Change[] = [];
    for (const [name, values] of desired) {
      // An empty naming attribute cannot be written; the order means "keep the name".
      if (values.length === 0 && name.toLowerCase() === rdnAttribute.toLowerCase()) continue;
      const current = entryValues(entryAttribute(entry, name));
      if (current.length === values.length && current.every((v, i) => v === values[i])) continue;
      changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: name, values }) }));
    }
    // Granting anything to a disabled account enables it again.
    const marker = entryValues(entryAttribute(entry, disabledAttribute)).find(
      (v) => v.toLowerCase() === disabledValue.toLowerCase(),
    );
    if (
      marker !== undefined &&
      ![...desired.keys()].some((k) => k.toLowerCase() === disabledAttribute.toLowerCase())
    ) {
      changes.push(
        new Change({
          operation: 'delete',
          modification: new Attribute({ type: disabledAttribute, values: [marker] }),
        }),
      );
    }
    if (changes.length > 0) await this.op(`modify ${entry.dn}`, (c) => c.modify(entry.dn, changes));
    return entry.dn;
  }

  /** Returns the DN of the account entry. */
  private async applyDeleted(order: OrderToApply): Promise<string> {
    const { accountKey, group } = order.changes;
    const dn = this.accountDn(accountKey);
    // Every step tolerates "already gone", so no read is needed first.
    if (group !== undefined) await this.groups.removeMember(group, dn);
    if (await this.groups.hasAnyMembership(dn)) return dn;
    if (this.settings.onDelete === 'delete') {
      await this.op(`delete ${dn}`, (c) => c.del(dn), [LDAP_RESULT.noSuchObject]);
      return dn;
    }
    const { disabledAttribute: type, disabledValue } = this.settings;
    const mark = new Change({
      operation: 'add',
      modification: new Attribute({ type, values: [disabledValue] }),
    });
    await this.op(`disable ${dn}`, (c) => c.modify(dn, mark), [
      LDAP_RESULT.noSuchObject,
      LDAP_RESULT.attributeOrValueExists,
    ]);
    return dn;
  }

  async readAll(): Promise<SynchronizedResources> {
    const { accounts, memberships } = await readDirectory(this.settings, this.op);
    return { accounts, memberships };
  }

  /**
   * Incremental read: accounts and groups whose modifyTimestamp is at or after `since` (whole
   * seconds, so a change in the same second is read twice, never missed), with the complete
   * membership of each listed group. Deletions leave nothing to find: only readAll sees them.
   */
  async readChangedSince(since: Date): Promise<LdapChangedResources> {
    return {
      ...(await readDirectory(
        this.settings,
        this.op,
        new GreaterThanEqualsFilter({ attribute: 'modifyTimestamp', value: generalizedTime(since) }),
      )),
      since,
    };
  }

  async test(): Promise<ConnectionTestResult> {
    const { bindDn, url, accountsDn, groupsDn } = this.settings;
    try {
      // A fresh bind, so the check proves the credentials even on a connection bound earlier.
      if (this.session.closed) await this.session.bound(); // throws the "closed" error
      await this.session.client.bind(bindDn, this.settings.bindPassword).catch((error: unknown) => {
        throw toLdapConnectorError(error, this.session.scrub, `bind as ${bindDn} to ${url}`);
      });
      for (const dn of [accountsDn, groupsDn]) {
        if (!(await this.session.readEntry(dn, ['1.1'])))
          return { ok: false, message: `bound as ${bindDn}, but ${dn} does not exist` };
      }
      return {
        ok: true,
        message: `bound as ${bindDn} to ${url}; ${accountsDn} and ${groupsDn} are readable`,
      };
    } catch (error) {
      return { ok: false, message: toLdapConnectorError(error, this.session.scrub).message };
    }
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
