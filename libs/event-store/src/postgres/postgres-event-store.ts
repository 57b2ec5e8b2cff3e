/**
 * The PostgreSQL adapter, the default event store (docs/architecture.md §4): the port's methods
 * over one pool and one group-commit queue; the SQL, the log gate, a page of the log
 * (log-page.ts) and the batch append live in their own files beside it.
 *
 * Appends are group-committed: concurrent appends leave together in one statement of
 * `es.append_group`, i.e. one transaction that, per append, locks the stream row, checks the
 * expected revision and idempotency and inserts; listeners are woken after the commit, by a
 * wake-up of its own (commit-notifier.ts).
 * The global log is read in (transaction_id, global_position) order and only below the log gate
 * (log-gate.ts, ADR 0042): the oldest transaction of the page's own snapshot that may still be
 * appending. Everything under that bound has finished, so the visible log is a prefix that no late
 * commit can extend in the middle, and a reader that pages on the tuple never steps over an event.
 */
import { LogGate } from './log-gate';
import { readLogPage } from './log-page';
import { Pool } from 'pg';
import {
  type AppendOptions,
  type AppendResult,
  type DeleteStreamOptions,
  type EventData,
  type EventStore,
  EventStoreClosedError,
  type EventValidationError,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamRead,
  type StreamAppend,
  StreamDeletedError,
  StreamNotFoundError,
  type SubscribeToAllOptions,
  type Subscription,
  checkFilter,
  isStart,
  type PreparedAppend,
  prepareAppend,
  prepareAppends,
  type ChainKeeper,
} from '../core';
import { appendUnits } from './append-units';
import { CommitNotifier } from './commit-notifier';
import { type ChainVerification, type VerifyChainOptions, verifyChain } from './chain-verification';
import { GroupCommit, type Outcome, type Pacing } from '@prov/gathering';
import { LogSubscription, SubscriptionRegistry } from '../core/log-subscription';
import {
  checkReadAllMaxCount,
  checkReadStreamOptions,
  validateDeleteExpectedRevision,
  validateStreamName,
} from '../core/validation';
import { NotificationListener } from './notification-listener';
import { readStreams } from './read-streams';
import { TableStatistics } from './table-statistics';
import { type PostgresConnectionOptions, resolvePool } from './pool';
import {
  type EventRow,
  expectedRevisionParameter,
  fromPgPosition,
  mapAppendError,
  toRecordedEvent,
} from './rows';
import { migrateEventStoreSchema } from './schema/migrate';
import { readStreamQuery } from './stream-read';
import { NOTIFY_CHANNEL } from './schema/migrations';

/**
 * The PostgreSQL store's subscriptions: four reads at once, then one per 20 ms (50 a second)
 * while wake-ups keep coming. A lone request's hops come a few ms apart, three or four per
 * subscription, and refill the bucket in the quiet between requests.
 */
export const READ_PACING: Pacing = { burst: 4, intervalMs: 20 };

export type PostgresEventStoreOptions = PostgresConnectionOptions & {
  /** Poll interval of subscriptions when no notification arrives. Default 250 ms. */
  pollIntervalMs?: number;
  /** Events fetched per query while a subscription catches up. Default 500. */
  subscriptionPageSize?: number;
  /**
   * How often a woken subscription reads (ADR 0050): a burst at once, then one read per interval
   * while wake-ups keep coming. Default READ_PACING (4, then one per 20 ms); intervalMs 0 turns it off.
   */
  subscriptionPacing?: Pacing;
  /** Group commit: batches on their way at once (default 4) and events per batch (default 250). */
  groupCommit?: { maxInFlight?: number; maxEvents?: number };
};

export class PostgresEventStore implements EventStore, ChainKeeper {
  readonly pool: Pool;
  private readonly endPool: () => Promise<void>;
  private readonly listener: NotificationListener;
  private readonly subscriptions = new SubscriptionRegistry();
  /** Each item a unit: one append, or the parts of an append over several streams (ADR 0061). */
  private readonly groupCommit: GroupCommit<PreparedAppend[], AppendResult[]>;
  private readonly notifier: CommitNotifier;
  private readonly gate: LogGate;
  /** Analyses the tables as they grow from empty, so cached plans follow them (ADR 0090). */
  readonly statistics: TableStatistics;
  private migrated: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: PostgresEventStoreOptions) {
    ({ pool: this.pool, end: this.endPool } = resolvePool(options));
    this.listener = new NotificationListener(this.pool);
    this.notifier = new CommitNotifier(this.pool, NOTIFY_CHANNEL);
    this.gate = new LogGate(this.pool);
    this.statistics = new TableStatistics(this.pool);
    this.groupCommit = new GroupCommit((units: PreparedAppend[][]) => this.appendUnits(units), {
      maxInFlight: options.groupCommit?.maxInFlight ?? 4,
      maxWeight: options.groupCommit?.maxEvents ?? 250,
    });
  }

  /** Connects and brings the schema up to date before returning. */
  static async connect(urlOrOptions: string | PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const options = typeof urlOrOptions === 'string' ? { connectionString: urlOrOptions } : urlOrOptions;
    const store = new PostgresEventStore(options);
    try {
      await store.ready();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Runs pending migrations once per store; every operation waits for it, so a constructed store works too. */
  ready(): Promise<void> {
    if (this.closed) return Promise.reject(new EventStoreClosedError());
    this.migrated ??= migrateEventStoreSchema(this.pool).then(
      () => undefined,
      (error: unknown) => {
        this.migrated = undefined; // let the next call try again
        throw error;
      },
    );
    return this.migrated;
  }

  async appendToStream(
    streamName: string,
    events: EventData[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const append = prepareAppend(streamName, events, options.expectedRevision);
    await this.ready();
    return (await this.groupCommit.submit([append], append.events.length))[0];
  }

  /** All parts or none, in the group commit like any append: one statement with the others (ADR 0061). */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const parts = prepareAppends(appends);
    await this.ready();
    return this.groupCommit.submit(
      parts,
      parts.reduce((events, part) => events + part.events.length, 0),
    );
  }

  /**
   * Many appends at once (bulk loads, benchmarks), each with its own verdict: the same statement
   * the group commit sends, without waiting in its queue. Not part of the port.
   */
  async appendMany(
    appends: {
      streamName: string;
      events: EventData[];
      expectedRevision?: AppendOptions['expectedRevision'];
    }[],
  ): Promise<Outcome<AppendResult>[]> {
    const prepared = appends.map((a) => [prepareAppend(a.streamName, a.events, a.expectedRevision)]);
    await this.ready();
    const outcomes = await this.appendUnits(prepared);
    return outcomes.map((outcome) => (outcome.ok ? { ok: true, value: outcome.value[0] } : outcome));
  }

  /** One statement for the group; listeners are woken after its commit, outside it (ADR 0041). */
  private async appendUnits(units: PreparedAppend[][]): Promise<Outcome<AppendResult[]>[]> {
    const outcomes = await appendUnits(this.pool, units);
    if (outcomes.some((outcome) => outcome.ok)) this.notifier.committed(units.flat());
    let written = 0;
    outcomes.forEach((outcome, index) => {
      if (outcome.ok) for (const part of units[index]) written += part.events.length;
    });
    this.statistics.appended(written);
    return outcomes;
  }

  /** Checks the hash chains of every stream, or of one (tamper evidence, ADR 0016). */
  async verifyChain(options: VerifyChainOptions = {}): Promise<ChainVerification> {
    if (options.streamName !== undefined) validateStreamName(options.streamName, 'stream');
    await this.ready();
    return verifyChain(this.pool, options);
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const name = validateStreamName(streamName);
    const { fromRevision, maxCount, direction } = checkReadStreamOptions(options);
    await this.ready();
    const { rows } = await this.pool.query<EventRow & { tombstoned: boolean; visible: boolean }>(
      readStreamQuery(name, fromRevision, maxCount, direction),
    );
    if (rows.length === 0) throw new StreamNotFoundError(name);
    if (rows[0].tombstoned) throw new StreamDeletedError(name);
    if (!rows[0].visible) throw new StreamNotFoundError(name);
    return rows.filter((row) => row.event_id !== null).map(toRecordedEvent);
  }

  /** Several whole streams in one statement (the port's optional readStreams; ADR 0052). */
  async readStreams(streamNames: readonly string[]): Promise<StreamRead[]> {
    const reads: StreamRead[] = streamNames.map((name) => {
      try {
        validateStreamName(name);
        return [];
      } catch (error) {
        return error as EventValidationError;
      }
    });
    const valid = streamNames.filter((_name, index) => Array.isArray(reads[index]));
    await this.ready();
    const answers = valid.length ? await readStreams(this.pool, valid) : [];
    return reads.map((read) => (Array.isArray(read) ? answers.shift()! : read));
  }

  /** Reads in flight; close() waits for them before it ends the pool they use. */
  private readonly reading = new Set<Promise<unknown>>();

  readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    if (this.closed) return Promise.reject(new EventStoreClosedError());
    const read = this.readAllPage(options);
    this.reading.add(read);
    void read.catch(() => undefined).finally(() => this.reading.delete(read));
    return read;
  }

  private async readAllPage(options: ReadAllOptions): Promise<ReadAllResult> {
    const maxCount = checkReadAllMaxCount(options);
    const filter = checkFilter(options.filter);
    const after = isStart(options.after)
      ? { transactionId: '0', globalPosition: '0' }
      : fromPgPosition(options.after!);
    await this.ready();
    return readLogPage(this.pool, this.gate, { after, maxCount, filter });
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    if (this.closed) throw new EventStoreClosedError();
    const filter = checkFilter(options.filter);
    const source = {
      changes: this.listener.changes,
      prepare: () => this.listener.ensureListening(),
      readAll: async (o: ReadAllOptions) => {
        await this.listener.ensureListening(); // re-listens after a lost connection
        return this.readAll(o);
      },
    };
    const settings = {
      ...options,
      filter,
      pollIntervalMs: options.pollIntervalMs ?? this.options.pollIntervalMs ?? 250,
      pageSize: this.options.subscriptionPageSize ?? 500,
      pacing: options.pacing ?? this.options.subscriptionPacing ?? READ_PACING,
    };
    return this.subscriptions.add(new LogSubscription(source, settings, (s) => this.subscriptions.remove(s)));
  }

  deleteStream(streamName: string, options: DeleteStreamOptions = {}): Promise<void> {
    return this.removeStream(streamName, options, false);
  }

  tombstoneStream(streamName: string, options: DeleteStreamOptions = {}): Promise<void> {
    return this.removeStream(streamName, options, true);
  }

  private async removeStream(
    streamName: string,
    options: DeleteStreamOptions,
    tombstone: boolean,
  ): Promise<void> {
    const name = validateStreamName(streamName);
    const expectedRevision = validateDeleteExpectedRevision(options.expectedRevision);
    await this.ready();
    try {
      await this.pool.query('SELECT es.delete_stream($1, $2, $3)', [
        name,
        expectedRevisionParameter(expectedRevision),
        tombstone,
      ]);
    } catch (error) {
      mapAppendError(error, { streamName: name, expectedRevision, ids: [] });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.subscriptions.closeAll();
    await Promise.allSettled([...this.reading]);
    await this.listener.close();
    await this.migrated?.catch(() => undefined);
    await this.notifier.close();
    await this.statistics.close();
    await this.endPool();
  }
}
