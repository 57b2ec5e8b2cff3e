import type { SynchronizedResources } from '@prov/connectors';

/**
 * Splits a read-back into pages whose JSON stays under `maxPageBytes` (ADR 0025): a connection
 * with 100,000 accounts reads back tens of megabytes, far over NATS's 1 MB message limit. Pages
 * hold accounts first, then memberships, in the order read; concatenated they are the read-back.
 * A single item larger than a page still gets a page of its own (NATS then refuses it, with a
 * clear error, rather than this hiding it).
 */
export function readBackPages(
  resources: SynchronizedResources,
  maxPageBytes: number,
): SynchronizedResources[] {
  const pages: SynchronizedResources[] = [];
  let page: SynchronizedResources = { accounts: [], memberships: [] };
  // `{"accounts":[],"memberships":[]}` plus the envelope of the command around it.
  const overhead = 512;
  let size = overhead;
  const add = (kind: 'accounts' | 'memberships', item: unknown, bytes: number) => {
    const empty = page.accounts.length === 0 && page.memberships.length === 0;
    if (!empty && size + bytes > maxPageBytes) {
      pages.push(page);
      page = { accounts: [], memberships: [] };
      size = overhead;
    }
    (page[kind] as unknown[]).push(item);
    size += bytes;
  };
  for (const account of resources.accounts) add('accounts', account, jsonBytes(account));
  for (const membership of resources.memberships) add('memberships', membership, jsonBytes(membership));
  pages.push(page);
  return pages;
}

/** UTF-8 bytes of the item's JSON, plus its separating comma. */
function jsonBytes(item: unknown): number {
  return Buffer.byteLength(JSON.stringify(item)) + 1;
}
