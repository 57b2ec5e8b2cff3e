import { AdConnector, type Connector, type SynchronizedMembership, type SynchronizedResources } from '@prov/connectors';

/** What a directory with change tracking (AD's uSNChanged) reports since a cursor. */
export interface ResourceChanges {
  accounts: SynchronizedResources['accounts'];
  /** Every current membership of the groups in `changedGroups`. */
  memberships: SynchronizedMembership[];
  changedGroups: string[];
  deletedAccountKeys: string[];
  nextUsn: number;
}

/** A connector that can say what changed since a cursor, deletions and emptied groups included. */
export interface IncrementalConnector extends Connector {
  readChangedSince(sinceUsn: number): Promise<ResourceChanges>;
}

/**
 * Only AD's change tracking shows deletions and emptied groups; LDAP's modifyTimestamp shows
 * neither, so an LDAP directory is always read in full.
 */
export function isIncremental(connector: Connector): connector is IncrementalConnector {
  return connector instanceof AdConnector;
}

/**
 * Applies changes to an earlier complete read: changed accounts replace theirs, deleted ones go
 * with their memberships, and a changed group's memberships are replaced by its current ones.
 * The result is what a complete read would have returned.
 */
export function mergeChanges(snapshot: SynchronizedResources, changes: ResourceChanges): SynchronizedResources {
  const deleted = new Set(changes.deletedAccountKeys);
  const changedGroups = new Set(changes.changedGroups);
  const accounts = new Map(snapshot.accounts.map((a) => [a.accountKey, a]));
  for (const key of deleted) accounts.delete(key);
  for (const account of changes.accounts) accounts.set(account.accountKey, account);
  const memberships = snapshot.memberships.filter((m) => !deleted.has(m.accountKey) && !changedGroups.has(m.group));
  memberships.push(...changes.memberships.filter((m) => !deleted.has(m.accountKey)));
  return { accounts: [...accounts.values()], memberships };
}

interface Cached {
  resources: SynchronizedResources;
  nextUsn: number;
  reads: number;
}

/**
 * Reads a connection back for synchronization. Directories that track changes are read in full
 * once, then only for what changed since (the merged result is the same as a full read, at the
 * cost of the changes); every AGENT_FULL_READ_EVERY-th read is a full one again, so anything the
 * change tracking cannot show is caught up. Other connectors are always read in full.
 */
export class ReadBack {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly fullReadEvery = Number(process.env.AGENT_FULL_READ_EVERY ?? 20)) {}

  async read(connectionId: string, connector: Connector): Promise<{ resources: SynchronizedResources; incremental: boolean }> {
    if (!isIncremental(connector)) return { resources: await connector.readAll(), incremental: false };
    const cached = this.cache.get(connectionId);
    try {
      if (cached && cached.reads < this.fullReadEvery) {
        const changes = await connector.readChangedSince(cached.nextUsn);
        const resources = mergeChanges(cached.resources, changes);
        this.cache.set(connectionId, { resources, nextUsn: changes.nextUsn, reads: cached.reads + 1 });
        return { resources, incremental: true };
      }
      // A read since USN 0 is a complete read that also gives the cursor to continue from.
      const all = await connector.readChangedSince(0);
      const resources = { accounts: all.accounts, memberships: all.memberships };
      this.cache.set(connectionId, { resources, nextUsn: all.nextUsn, reads: 1 });
      return { resources, incremental: false };
    } catch (error) {
      this.cache.delete(connectionId);
      throw error;
    }
  }
}
