/**
 * The reads the EventStoreDB adapter needs for the hash chain (ADR 0026): a stream's tail before
 * an append, and the verification walk. The decisions are in `chain.ts`.
 */
import {
  type AllStreamResolvedEvent,
  BACKWARDS,
  END,
  type EventStoreDBClient,
  FORWARDS,
  START as ESDB_START,
  StreamNotFoundError as EsdbStreamNotFoundError,
} from '@eventstore/db-client';
import {
  CHAIN_START,
  type ChainVerification,
  StreamChainCheck,
  type VerifyChainOptions,
} from '../core/hash-chain';
import { callerMetadata, chainHashOf, type StreamTail } from './chain';
import { type EsdbEventLike, isSystemEvent, mapEsdbError } from './mapping';

/** The visible tail of a stream, or after a soft delete its last hidden event (found in `$all`). */
export async function readStreamTail(
  client: EventStoreDBClient,
  name: string,
  count: number,
): Promise<StreamTail> {
  const visible: EsdbEventLike[] = [];
  try {
    for await (const resolved of client.readStream(name, {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: count,
    })) {
      if (resolved.event) visible.push(resolved.event as EsdbEventLike);
    }
  } catch (error) {
    if (!(error instanceof EsdbStreamNotFoundError)) mapEsdbError(error, { streamName: name });
  }
  if (visible.length > 0) {
    return {
      last: { revision: visible[0].revision, hash: chainHashOf(visible[0].metadata) },
      tailIds: visible.map((e) => e.id).reverse(),
    };
  }
  const { metadata } = await client.getStreamMetadata(name).catch(() => ({ metadata: undefined }));
  if (metadata?.truncateBefore === undefined) return { tailIds: [] };
  // Soft-deleted: its events are still in $all until scavenged. Rare (the engine never deletes
  // streams), so a backwards scan is acceptable here.
  for await (const resolved of client.readAll({
    direction: BACKWARDS,
    fromPosition: END,
    resolveLinkTos: false,
  })) {
    const event = (resolved as AllStreamResolvedEvent).event as EsdbEventLike | undefined;
    if (event?.streamId === name)
      return { last: { revision: event.revision, hash: chainHashOf(event.metadata) }, tailIds: [] };
  }
  return { tailIds: [] };
}

/** Every stream's name, in order; memory grows with the number of streams, not of events. */
async function streamNames(client: EventStoreDBClient): Promise<string[]> {
  const names = new Set<string>();
  for await (const resolved of client.readAll({
    direction: FORWARDS,
    fromPosition: ESDB_START,
    resolveLinkTos: false,
  })) {
    const event = (resolved as AllStreamResolvedEvent).event as EsdbEventLike | undefined;
    if (event && !isSystemEvent(event)) names.add(event.streamId);
  }
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Checks each stream's visible events, a page of events at a time. The first visible event of a
 * recreated stream follows a hidden one, so it is taken as the anchor of what follows.
 */
export async function verifyEsdbChains(
  client: EventStoreDBClient,
  options: VerifyChainOptions,
): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? 500;
  const names = options.streamName !== undefined ? [options.streamName] : await streamNames(client);
  let streamsChecked = 0;
  let eventsChecked = 0;
  for (const name of names) {
    let check: StreamChainCheck | undefined;
    let from: bigint | typeof ESDB_START = ESDB_START;
    for (;;) {
      const page: EsdbEventLike[] = [];
      try {
        for await (const resolved of client.readStream(name, {
          direction: FORWARDS,
          fromRevision: from,
          maxCount: pageSize,
        })) {
          if (resolved.event) page.push(resolved.event as EsdbEventLike);
        }
      } catch (error) {
        if (error instanceof EsdbStreamNotFoundError) break;
        mapEsdbError(error, { streamName: name });
      }
      if (page.length === 0) break;
      check ??= new StreamChainCheck(page[0].revision === 0n ? CHAIN_START : null);
      const before = check.eventsChecked;
      const firstBreak = check.check(page.map((event) => link(name, event)));
      eventsChecked += check.eventsChecked - before;
      if (firstBreak) return { ok: false, streamsChecked: streamsChecked + 1, eventsChecked, firstBreak };
      if (page.length < pageSize) break;
      from = page[page.length - 1].revision + 1n;
    }
    streamsChecked++;
    options.onPage?.({ streamsChecked, eventsChecked, lastStream: name });
  }
  return { ok: true, streamsChecked, eventsChecked };
}

function link(streamName: string, event: EsdbEventLike) {
  const raw =
    typeof event.metadata === 'object' && event.metadata !== null
      ? (event.metadata as Record<string, unknown>)
      : {};
  return {
    streamName,
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: callerMetadata(raw),
    revision: event.revision,
    hash: chainHashOf(raw),
  };
}
