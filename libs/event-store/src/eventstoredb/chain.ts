/**
 * The hash chain on EventStoreDB (ADR 0026). The server computes nothing, so the adapter chains
 * the events it appends from the stream's last event and keeps each hash in the event's
 * metadata under {@link CHAIN_HASH_KEY} (hidden from readers). The hash itself is the shared one
 * (`eventHash`), over the caller's metadata only, so it equals what PostgreSQL stores for the
 * same events.
 *
 * Differences from PostgreSQL, both because EventStoreDB hides what it soft-deleted:
 * - a soft-deleted stream written again starts a new chain (its predecessor cannot be read);
 * - verification checks the events a reader can see.
 */
import { CHAIN_START, type ChainedContent, eventHash } from '../core/hash-chain';
import type { ExpectedRevision } from '../core/types';
import type { PreparedEvent } from '../core/validation';

export const CHAIN_HASH_KEY = '$chainHash';

/** The hash stored in an event's raw metadata, if any. */
export function chainHashOf(metadata: unknown): string | undefined {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
  const hash = (metadata as Record<string, unknown>)[CHAIN_HASH_KEY];
  return typeof hash === 'string' ? hash : undefined;
}

/** The caller's metadata: the raw metadata without the chain's key. */
export function callerMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  if (!(CHAIN_HASH_KEY in metadata)) return metadata;
  const { [CHAIN_HASH_KEY]: _hash, ...rest } = metadata;
  return rest;
}

/** The events of an append with their chain hashes, the first after `previous`. */
export function chainEvents(
  previous: string,
  lastRevision: bigint,
  events: PreparedEvent[],
): Array<{ id: string; type: string; data: unknown; metadata: Record<string, unknown> }> {
  let hash = previous;
  return events.map((event, index) => {
    const content: ChainedContent = {
      type: event.type,
      data: JSON.parse(event.dataJson),
      metadata: JSON.parse(event.metadataJson),
      revision: lastRevision + 1n + BigInt(index),
    };
    hash = eventHash(hash, content);
    return {
      id: event.id,
      type: event.type,
      data: content.data,
      metadata: { ...content.metadata, [CHAIN_HASH_KEY]: hash },
    };
  });
}

/** What the adapter read of the stream's tail before appending. */
export interface StreamTail {
  /**
   * The stream's last event, visible or soft-deleted (revisions and the chain go on after a soft
   * delete, as in PostgreSQL); undefined when the stream was never written.
   */
  last?: { revision: bigint; hash: string | undefined };
  /** The ids of the visible events at the tail, oldest first (as many as the append has). */
  tailIds: string[];
}

export type ChainedAppendPlan =
  | { retry: true }
  | { retry: false; previous: string; lastRevision: bigint; expectedRevision: ExpectedRevision };

/**
 * How to append so that the chain holds: after which hash and revision, and with which expected
 * revision for the server. A caller's `'any'` or `'stream_exists'` becomes the revision read, so
 * no concurrent writer can slip an event between the read and the append (the adapter reads
 * again on WrongExpectedVersion). `retry` is an exact re-append of the visible tail (the port's
 * idempotency, which the server would not see once the expected revision is pinned).
 */
export function planChainedAppend(
  expected: ExpectedRevision,
  tail: StreamTail,
  ids: string[],
): ChainedAppendPlan {
  const { last } = tail;
  if (tail.tailIds.length === ids.length && tail.tailIds.every((id, index) => id === ids[index])) {
    return { retry: true };
  }
  const previous = last?.hash ?? CHAIN_START;
  const lastRevision = last?.revision ?? -1n;
  if (typeof expected === 'bigint') {
    // The server checks it (and recognises a retry): a wrong guess of the predecessor is never written.
    return {
      retry: false,
      previous: last?.revision === expected ? previous : CHAIN_START,
      lastRevision: expected,
      expectedRevision: expected,
    };
  }
  if (expected === 'no_stream' || (expected === 'stream_exists' && tail.tailIds.length === 0)) {
    // The server decides whether the stream exists (a soft-deleted one does not).
    return { retry: false, previous, lastRevision, expectedRevision: expected };
  }
  return { retry: false, previous, lastRevision, expectedRevision: last ? last.revision : 'no_stream' };
}
