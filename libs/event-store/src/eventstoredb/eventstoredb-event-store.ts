/**
 * The EventStoreDB adapter, for deployments that run EventStoreDB (docs/architecture.md §4). The port
 * copies EventStoreDB's semantics, so this is mostly renaming; the differences it absorbs:
 * - `$all` reads start *at* a position, the port's `after` is exclusive: the adapter skips it.
 * - `readAll` has no server-side filter in this client version: the adapter filters a scanned
 *   window itself, like the PostgreSQL adapter, so `lastPosition` still advances.
 * - System events and streams (`$...`) are never shown to callers.
 * - The hash chain (ADR 0026) is kept by the adapter: each append reads the stream's tail first
 *   and stores each event's hash in its metadata (`$chainHash`, hidden from readers).
 *
 * Known gaps (no server available here to pin them down): a partial duplicate append is reported
 * the way the server reports it (normally WrongExpectedVersionError, and with `'any'` the server
 * may even write the new events), not as DuplicateEventIdsError.
 */
import {
  type AllStreamResolvedEvent,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  type JSONType,
  START as ESDB_START,
  StreamNotFoundError as EsdbStreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  jsonEvent,
} from '@eventstore/db-client';
import { handleType, retry } from 'cockatiel';
import {
  type AppendOptions,
  type AppendResult,
  type DeleteStreamOptions,
  type EventData,
  type EventStore,
  EventStoreClosedError,
  EventStoreError,
  type Position,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
  checkFilter,
  collectPage,
  comparePositions,
  isStart,
  prepareAppend,
  scanLimitFor,
  type ChainKeeper,
  type ChainVerification,
  type VerifyChainOptions,
} from '../core';
import {
  checkReadAllMaxCount,
  checkReadStreamOptions,
  validateDeleteExpectedRevision,
  validateStreamName,
} from '../core/validation';
import { chainEvents, planChainedAppend } from './chain';
import { readStreamTail, verifyEsdbChains } from './eventstoredb-chain';
import { EventStoreDbSubscription } from './eventstoredb-subscription';
import {
  type EsdbEventLike,
  mapEsdbError,
  toEsdbExpectedRevision,
  toEsdbPosition,
  toPortPosition,
  toRecordedEvent,
  wanted,
} from './mapping';

export type EventStoreDbEventStoreOptions = { connectionString: string } | { client: EventStoreDBClient };

/** Concurrent writers to one stream make a chained append read the tail again: 20 tries at most. */
const CHAIN_RACES = retry(handleType(EsdbWrongExpectedVersionError), { maxAttempts: 19 });

export class EventStoreDbEventStore implements EventStore, ChainKeeper {
  readonly client: EventStoreDBClient;
  private readonly ownsClient: boolean;
  private readonly subscriptions = new Set<EventStoreDbSubscription>();
  private closed = false;

  constructor(options: EventStoreDbEventStoreOptions) {
    if ('client' in options) {
      this.client = options.client;
      this.ownsClient = false;
    } else {
      this.client = EventStoreDBClient.connectionString(options.connectionString);
      this.ownsClient = true;
    }
  }

  /** e.g. `esdb://localhost:2113?tls=false`. The gRPC channel connects on first use. */
  static async connect(connectionString: string): Promise<EventStoreDbEventStore> {
    return new EventStoreDbEventStore({ connectionString });
  }

  async appendToStream(
    streamName: string,
    events: EventData[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    this.assertOpen();
    const append = prepareAppend(streamName, events, options.expectedRevision);
    const ids = append.events.map((e) => e.id);
    // The expected revision is pinned to the tail read (chain.ts): a concurrent writer in between
    // makes the server refuse, and the chain is read again.
    try {
      return await CHAIN_RACES.execute(async () => {
        const tail = await readStreamTail(this.client, append.streamName, ids.length);
        const plan = planChainedAppend(append.expectedRevision, tail, ids);
        if (plan.retry) return this.retryResult(append.streamName);
        try {
          const result = await this.client.appendToStream(
            append.streamName,
            chainEvents(plan.previous, plan.lastRevision, append.events).map((e) =>
              jsonEvent({ id: e.id, type: e.type, data: e.data as JSONType, metadata: e.metadata }),
            ),
            { expectedRevision: toEsdbExpectedRevision(plan.expectedRevision) },
          );
          if (!result.position)
            throw new EventStoreError('EventStoreDB did not return the position of the append');
          return {
            nextExpectedRevision: result.nextExpectedRevision,
            position: toPortPosition(result.position),
          };
        } catch (error) {
          // Only a revision this append pinned is worth reading again; the caller's own is its answer.
          const pinned = plan.expectedRevision !== append.expectedRevision;
          if (pinned && error instanceof EsdbWrongExpectedVersionError) throw error;
          mapEsdbError(error, append);
        }
      });
    } catch (error) {
      mapEsdbError(error, append);
    }
  }

  /** An exact re-append: the original result, as the other adapters answer it. */
  private async retryResult(streamName: string): Promise<AppendResult> {
    const [last] = await this.readStream(streamName, { direction: 'backwards', maxCount: 1 });
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  /** Checks the hash chains of every stream, or of one (ADR 0026: visible events only). */
  async verifyChain(options: VerifyChainOptions = {}): Promise<ChainVerification> {
    this.assertOpen();
    const streamName =
      options.streamName === undefined ? undefined : validateStreamName(options.streamName, 'stream');
    return verifyEsdbChains(this.client, { ...options, streamName });
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const name = validateStreamName(streamName);
    const { fromRevision, maxCount, direction } = checkReadStreamOptions(options);
    if (maxCount === 0) return [];
    const backwards = direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(name, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: fromRevision ?? (backwards ? END : ESDB_START),
        maxCount,
      });
      for await (const resolved of read) {
        if (resolved.event)
          events.push(toRecordedEvent(resolved.event as EsdbEventLike, resolved.commitPosition));
      }
    } catch (error) {
      mapEsdbError(error, { streamName: name });
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    this.assertOpen();
    const maxCount = checkReadAllMaxCount(options);
    const filter = checkFilter(options.filter);
    const after = isStart(options.after) ? undefined : options.after;
    const scanLimit = scanLimitFor(maxCount, filter);
    const rows: Array<{ position: Position; event: EsdbEventLike }> = [];
    // One extra, because the read starts at `after` itself when that event exists.
    const read = this.client.readAll({
      fromPosition: toEsdbPosition(after),
      maxCount: scanLimit + (after ? 1 : 0),
      direction: FORWARDS,
      resolveLinkTos: false,
    });
    for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
      const event = resolved.event as EsdbEventLike | undefined;
      if (!event?.position) continue;
      const position = toPortPosition(event.position);
      if (after && comparePositions(position, after) <= 0) continue;
      rows.push({ position, event });
      if (rows.length === scanLimit) break;
    }
    return collectPage(
      rows,
      scanLimit,
      maxCount,
      (row) => wanted(filter, row.event),
      (row) => toRecordedEvent(row.event),
      (row) => row.position,
    );
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    this.assertOpen();
    const subscription = new EventStoreDbSubscription(
      this.client,
      { ...options, filter: checkFilter(options.filter) },
      (s) => this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async deleteStream(streamName: string, options: DeleteStreamOptions = {}): Promise<void> {
    this.assertOpen();
    const name = validateStreamName(streamName);
    const expectedRevision = validateDeleteExpectedRevision(options.expectedRevision);
    try {
      await this.client.deleteStream(name, { expectedRevision: expectedRevision });
    } catch (error) {
      // Deleting what does not exist is a no-op in the port, as it is for the other adapters.
      if (error instanceof EsdbStreamNotFoundError) return;
      mapEsdbError(error, { streamName: name, expectedRevision });
    }
  }

  async tombstoneStream(streamName: string, options: DeleteStreamOptions = {}): Promise<void> {
    this.assertOpen();
    const name = validateStreamName(streamName);
    const expectedRevision = validateDeleteExpectedRevision(options.expectedRevision);
    try {
      await this.client.tombstoneStream(name, { expectedRevision: expectedRevision });
    } catch (error) {
      mapEsdbError(error, { streamName: name, expectedRevision });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    if (this.ownsClient) await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }
}
