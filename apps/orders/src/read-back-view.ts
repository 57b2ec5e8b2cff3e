import type { SynchronizedResources } from '@prov/connectors';

/**
 * A connection's read-back as the synchronization compares it (ADR 0063): never whole. The
 * comparison asks for the resources of a slice of orders, or walks the read-back a page at a
 * time; a large read-back stays in PostgreSQL (ReadBackPagesStore), a small one, which came in
 * the report itself, is simply held.
 */
export interface ReadBackView {
  readonly accounts: number;
  readonly memberships: number;
  /** The accounts with these keys and every membership of theirs. */
  resourcesOf(accountKeys: readonly string[]): Promise<SynchronizedResources>;
  /** The whole read-back, a page at a time, in the order it was read. */
  pages(): AsyncGenerator<SynchronizedResources>;
  /**
   * Runs `record` (what the comparison found becomes orders and events) only while what was
   * compared is still there, and keeps it there until `record` ends; throws when it is gone (a
   * staged read-back's pages removed).
   */
  whileStaged<T>(record: () => Promise<T>): Promise<T>;
}

/** A read-back small enough for one message (the report's own accounts and memberships). */
export function readBackInMemory(resources: SynchronizedResources): ReadBackView {
  return {
    accounts: resources.accounts.length,
    memberships: resources.memberships.length,
    resourcesOf(accountKeys) {
      const keys = new Set(accountKeys);
      return Promise.resolve({
        accounts: resources.accounts.filter((a) => keys.has(a.accountKey)),
        memberships: resources.memberships.filter((m) => keys.has(m.accountKey)),
      });
    },
    async *pages() {
      yield resources;
    },
    whileStaged: (record) => record(),
  };
}
