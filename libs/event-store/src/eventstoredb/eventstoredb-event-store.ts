/**
 * The EventStoreDB adapter, for deployments that run EventStoreDB (docs/architecture.md §4). The port
 * copies EventStoreDB's semantics, so this is mostly renaming; the differences it absorbs:
 * - `$all` reads start *at* a position, the port's `after` is exclusive: the adapter skips it.
 * - `readAll` has no server-side filter in this client version: the adapter filters a scanned
 *   window itself, like the PostgreSQL adapter, so `lastPosition` still advances.
 * - System events and streams (`$...`) are never shown to callers.
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
  jsonEvent,
} from '@eventstore/db-client';
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
} from '../core';
import {
  checkReadAllMaxCount,
  checkReadStreamOptions,
  validateDeleteExpectedRevision,
  validateStreamName,
} from '../core/validation';
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

export class EventStoreDbEventStore implements EventStore {
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
    try {
      const result = await this.client.appendToStream(
        append.streamName,
        append.events.map((e) =>
          jsonEvent({ id: e.id, type: e.type, data: e.data as JSONType, metadata: e.metadata }),
        ),
        { expectedRevision: toEsdbExpectedRevision(append.expectedRevision) },
      );
      if (!result.position)
        throw new EventStoreError('EventStoreDB did not return the position of the append');
      return { nextExpectedRevision: result.nextExpectedRevision, position: toPortPosition(result.position) };
    } catch (error) {
      mapEsdbError(error, append);
    }
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
