/**
 * An in-process event store for unit tests of services. It follows the same contract as the
 * PostgreSQL adapter (it runs the same suite), but keeps nothing across processes.
 *
 * Events are kept as JSON text and parsed on every read: callers get fresh objects they may
 * mutate, and data that would not survive a real store (Dates, undefined fields) behaves the
 * same way here, so a unit test cannot pass on something production would mangle.
 */
import {
  type AppendOptions,
  type AppendResult,
  type DeleteStreamOptions,
  type EventData,
  type EventStore,
  EventStoreClosedError,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type RecordedEvent,
  StreamDeletedError,
  StreamNotFoundError,
  type SubscribeToAllOptions,
  type Subscription,
  type ChainKeeper,
  type ChainVerification,
  type VerifyChainOptions,
  eventHash,
  DuplicateEventIdsError,
  checkFilter,
  collectPage,
  decodePosition,
  encodePosition,
  isStart,
  matchesFilter,
  prepareAppend,
  prepareAppends,
  type PreparedAppend,
  scanLimitFor,
  type StreamAppend,
} from '../core';
import { LogSubscription, SubscriptionRegistry } from '../core/log-subscription';
import { verifyInMemoryChains } from './in-memory-chain';
import {
  checkExpected,
  exists,
  InMemoryEventLog,
  newStream,
  type StoredEvent,
  type StreamState,
  toRecorded,
} from './in-memory-log';

export { InMemoryEventLog } from './in-memory-log';
import {
  checkReadAllMaxCount,
  checkReadStreamOptions,
  validateDeleteExpectedRevision,
  validateStreamName,
} from '../core/validation';

export class InMemoryEventStore implements EventStore, ChainKeeper {
  private readonly subscriptions = new SubscriptionRegistry();
  private closed = false;

  constructor(readonly log: InMemoryEventLog = new InMemoryEventLog()) {}

  async appendToStream(
    streamName: string,
    events: EventData[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    this.assertOpen();
    const append = prepareAppend(streamName, events, options.expectedRevision);
    return this.checkAppend(append) ?? this.write(append);
  }

  /** Every part is checked before any is written: all or nothing (ADR 0061). */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    const prepared = prepareAppends(appends);
    const retries = prepared.map((append) => this.checkAppend(append));
    return prepared.map((append, index) => retries[index] ?? this.write(append));
  }

  /** Throws the append's verdict; the original result when it is an exact retry; undefined: write it. */
  private checkAppend(append: PreparedAppend): AppendResult | undefined {
    const stream = this.log.streams.get(append.streamName);
    if (stream?.tombstoned) throw new StreamDeletedError(append.streamName);
    const retry = this.findRetry(
      append.streamName,
      stream,
      append.events.map((e) => e.id),
      append.expectedRevision,
    );
    if (retry) return retry;
    checkExpected(append.streamName, stream, append.expectedRevision);
    return undefined;
  }

  private write(append: PreparedAppend): AppendResult {
    const state = this.log.streams.get(append.streamName) ?? newStream();
    const createdAt = new Date();
    for (const event of append.events) {
      state.revision += 1n;
      // Hashed as read back (parsed JSON), which is what every adapter stores.
      const content = {
        type: event.type,
        data: JSON.parse(event.dataJson),
        metadata: JSON.parse(event.metadataJson),
        revision: state.revision,
      };
      state.lastHash = eventHash(state.lastHash, content);
      const stored: StoredEvent = {
        streamName: append.streamName,
        revision: state.revision,
        position: encodePosition(BigInt(this.log.all.length + 1)),
        id: event.id,
        type: event.type,
        dataJson: event.dataJson,
        metadataJson: event.metadataJson,
        createdAt,
        hash: state.lastHash,
      };
      state.events.push(stored);
      state.revisionById.set(event.id, state.revision);
      this.log.all.push(stored);
    }
    this.log.streams.set(append.streamName, state);
    this.log.changes.notify();
    return { nextExpectedRevision: state.revision, position: this.log.all[this.log.all.length - 1].position };
  }

  /** The original result when `ids` are an exact retry; an error when they overlap otherwise. */
  private findRetry(
    streamName: string,
    stream: StreamState | undefined,
    ids: string[],
    expected: ExpectedRevision,
  ): AppendResult | undefined {
    if (!stream) return undefined;
    const revisions = ids.map((id) => stream.revisionById.get(id));
    const known = ids.filter((_, index) => revisions[index] !== undefined);
    if (known.length === 0) return undefined;
    if (known.length < ids.length) {
      const fresh = ids.filter((_, index) => revisions[index] === undefined);
      throw new DuplicateEventIdsError(streamName, 'partial', known, fresh);
    }
    const first = revisions[0]!;
    const inPlace =
      revisions.every((revision, index) => revision === first + BigInt(index)) &&
      (typeof expected !== 'bigint' || first === expected + 1n);
    if (!inPlace) throw new DuplicateEventIdsError(streamName, 'different-revisions', ids, []);
    const last = stream.events[Number(first) + ids.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const name = validateStreamName(streamName);
    const { fromRevision, maxCount, direction } = checkReadStreamOptions(options);
    const stream = this.log.streams.get(name);
    if (stream?.tombstoned) throw new StreamDeletedError(name);
    if (!exists(stream)) throw new StreamNotFoundError(name);
    // Revisions are gap-free, so revision n is at index n.
    const visible = stream.events.slice(Number(stream.truncateBefore));
    const selected =
      direction === 'forwards'
        ? visible.filter((e) => fromRevision === undefined || e.revision >= fromRevision).slice(0, maxCount)
        : visible
            .filter((e) => fromRevision === undefined || e.revision <= fromRevision)
            .reverse()
            .slice(0, maxCount);
    return selected.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    this.assertOpen();
    const maxCount = checkReadAllMaxCount(options);
    const filter = checkFilter(options.filter);
    const start = isStart(options.after) ? 0 : Number(decodePosition(options.after!, 1)[0]);
    const scanLimit = scanLimitFor(maxCount, filter);
    const rows = this.log.all.slice(start, start + scanLimit);
    return collectPage(
      rows,
      scanLimit,
      maxCount,
      (row) => matchesFilter(filter, row),
      toRecorded,
      (row) => row.position,
    );
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    this.assertOpen();
    const filter = checkFilter(options.filter);
    const source = { readAll: (o: ReadAllOptions) => this.readAll(o), changes: this.log.changes };
    const settings = { ...options, filter, pollIntervalMs: options.pollIntervalMs ?? 1000, pageSize: 500 };
    return this.subscriptions.add(new LogSubscription(source, settings, (s) => this.subscriptions.remove(s)));
  }

  async deleteStream(streamName: string, options: DeleteStreamOptions = {}): Promise<void> {
    const stream = this.streamForDelete(streamName, options);
    if (exists(stream)) stream.truncateBefore = stream.revision + 1n;
  }

  async tombstoneStream(streamName: string, options: DeleteStreamOptions = {}): Promise<void> {
    const stream = this.streamForDelete(streamName, options);
    const state = stream ?? newStream();
    state.tombstoned = true;
    this.log.streams.set(streamName, state);
  }

  private streamForDelete(streamName: string, options: DeleteStreamOptions): StreamState | undefined {
    this.assertOpen();
    const name = validateStreamName(streamName);
    const expected = validateDeleteExpectedRevision(options.expectedRevision);
    const stream = this.log.streams.get(name);
    if (stream?.tombstoned) throw new StreamDeletedError(name);
    checkExpected(name, stream, expected);
    return stream;
  }

  /** Checks the hash chains of every stream (soft-deleted events included), or of one. */
  async verifyChain(options: VerifyChainOptions = {}): Promise<ChainVerification> {
    this.assertOpen();
    if (options.streamName !== undefined) validateStreamName(options.streamName, 'stream');
    return verifyInMemoryChains(this.log.streams, options);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.subscriptions.closeAll();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }
}
