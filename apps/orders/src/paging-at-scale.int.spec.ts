import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { commandMetadata, deterministicUuid } from '@prov/command-handling';
import {
  type AssignmentCommand,
  assignmentDecider,
  type AssignmentEvent,
  type AssignmentState,
  assignmentStreamName,
} from '@prov/domain';
import { type Position, PostgresEventStore, type RecordedEvent } from '@prov/event-store';
import {
  allPages,
  ALL_PROJECTIONS,
  ensureReadModelSchema,
  LIVE_SCHEMA,
  openOrdersWithDates,
  type OrderView,
  ReadModelQueries,
} from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { AssignmentCommands } from './assignment-commands';
import { SynchronizationService } from './synchronization.service';

jest.setTimeout(600_000);

/**
 * No silent limits: 20,000 open orders (20 times the old cut-off of 1,000), seeded in bulk: a
 * thousand new streams per statement, through the store's own append function, projected in one
 * transaction per thousand by the read model's own projection (its batch write). The queues are walked page by page to the end, the fulfil task's and the
 * timers' scans stream every row, and one synchronization verifies every executed order. Each
 * order has the fewest events its state takes, to keep the seed quick.
 */
const REVIEW = 10_000; // AwaitingApproval
const MANUAL = 3_000; // Transmitted
const PENDING = 3_000; // automatic, waiting for the fulfil task
const EXECUTED = 4_000; // Executed on hr_app, waiting for verification
const TOTAL = REVIEW + MANUAL + PENDING + EXECUTED;
const STREAMS_PER_APPEND = 1_000;
const now = new Date('2030-01-01T08:00:00.000Z');
const metadata = commandMetadata({ actor: 'test' }, now);

const assignments = ALL_PROJECTIONS.find((projection) => projection.name === 'assignments')!;

type Kind = 'review' | 'manual' | 'pending' | 'executed';
function kindOf(index: number): Kind {
  if (index < REVIEW) return 'review';
  if (index < REVIEW + MANUAL) return 'manual';
  return index < REVIEW + MANUAL + PENDING ? 'pending' : 'executed';
}

function seedCommands(index: number): { assignmentId: string; commands: AssignmentCommand[] } {
  const assignmentId = deterministicUuid('scale', String(index));
  const orderId = deterministicUuid('scale-order', String(index));
  const kind = kindOf(index);
  const at = new Date(now.getTime() + (index % 97) * 1000); // many orders share an updated_at
  const base = { assignmentId, now: at, actor: 'test' };
  const commands: AssignmentCommand[] = [
    { ...base, type: 'RequestAssignment', identityId: `i-${index}`, entitlementId: `e-${kind}` },
    {
      ...base,
      type: 'GenerateProvisioningOrder',
      orderId,
      changeType: 'Added',
      connectionId: kind === 'manual' ? 'badge_office' : 'hr_app',
      resourceTypeId: 'rt',
      fulfillment: kind === 'manual' ? 'manual' : 'automatic',
      changes: { accountKey: `user${index}`, attributes: { n: index } },
      requiresReview: kind === 'review',
    },
  ];
  if (kind === 'manual') commands.push({ ...base, type: 'TransmitProvisioningOrder', orderId });
  if (kind === 'executed')
    commands.push({ ...base, type: 'ReportProvisioningOrderExecuted', orderId, by: 'agent' });
  return { assignmentId, commands };
}

/**
 * Seeds the streams of orders `from` to `to` in bulk: one statement appends them all through
 * the store's own append function, then one transaction applies their events with the read
 * model's own projection (what the projector does, without waiting for it to follow the log).
 */
async function seedStreams(pool: Pool, from: number, to: number): Promise<void> {
  const names: string[] = [];
  const payloads: string[] = [];
  const recorded: RecordedEvent[] = [];
  for (let index = from; index < to; index++) {
    const { assignmentId, commands } = seedCommands(index);
    const streamName = assignmentStreamName(assignmentId);
    const events = eventsOf(commands).map((event) => ({
      id: randomUUID(),
      type: event.type,
      data: event.data,
      metadata,
    }));
    names.push(streamName);
    payloads.push(JSON.stringify(events));
    events.forEach((event, revision) =>
      recorded.push({
        ...event,
        streamName,
        revision: BigInt(revision),
        position: '0' as Position,
        createdAt: now,
      }),
    );
  }
  await pool.query(
    `SELECT es.append_to_stream(s.name, 'no_stream', s.events) FROM unnest($1::text[], $2::jsonb[]) AS s(name, events)`,
    [names, payloads],
  );
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // The live projector's batch write: a few statements for the thousand streams, not a few each.
    await assignments.applyMany!(client, LIVE_SCHEMA, recorded);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

async function count<T>(items: AsyncIterable<T>, each: (item: T) => void = () => undefined): Promise<number> {
  let n = 0;
  for await (const item of items) {
    each(item);
    n++;
  }
  return n;
}

function eventsOf(commands: AssignmentCommand[]): AssignmentEvent[] {
  let state: AssignmentState = assignmentDecider.initialState();
  const events: AssignmentEvent[] = [];
  for (const command of commands) {
    for (const event of assignmentDecider.decide(command, state)) {
      events.push(event);
      state = assignmentDecider.evolve(state, event);
    }
  }
  return events;
}

describe('20,000 open orders: every page, every order', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  let queries: ReadModelQueries;
  let seededInMs = 0;

  beforeAll(async () => {
    db = await createTestDatabase('scale');
    pool = new Pool({ connectionString: db.url, max: 10 });
    store = await PostgresEventStore.connect({ pool });
    const schema = await pool.connect();
    await ensureReadModelSchema(schema).finally(() => schema.release());
    const seeding = Date.now();
    const batches = Array.from({ length: Math.ceil(TOTAL / STREAMS_PER_APPEND) }, (_, i) => i);
    for (let i = 0; i < batches.length; i += 4) {
      await Promise.all(
        batches
          .slice(i, i + 4)
          .map((b) =>
            seedStreams(pool, b * STREAMS_PER_APPEND, Math.min(TOTAL, (b + 1) * STREAMS_PER_APPEND)),
          ),
      );
    }
    seededInMs = Date.now() - seeding;
    queries = new ReadModelQueries(pool);
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM rm.orders WHERE is_open');
    expect(Number(rows[0].n)).toBe(TOTAL);
    // A figure for docs/benchmarks.md (noisy: the machine is shared).
    process.stdout.write(`seeded and projected ${TOTAL} open orders in ${seededInMs} ms\n`);
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  async function walk(read: (cursor?: string) => Promise<{ items: OrderView[]; next: string | null }>) {
    const seen: OrderView[] = [];
    let pages = 0;
    await allPages(async (cursor) => {
      const page = await read(cursor);
      pages++;
      seen.push(...page.items);
      return page;
    });
    return { seen, pages };
  }

  it('walks the review and manual queues to the end, in order, without a row skipped or repeated', async () => {
    const review = await walk((cursor) => queries.reviewQueue({}, { cursor, limit: 777 }));
    expect(review.seen).toHaveLength(REVIEW);
    expect(new Set(review.seen.map((o) => o.orderId)).size).toBe(REVIEW);
    expect(review.pages).toBe(Math.ceil(REVIEW / 777));
    const keys = review.seen.map((o) => `${o.updatedAt}|${o.orderId}`);
    expect([...keys].sort()).toEqual(keys);

    const manual = await walk((cursor) => queries.manualQueue({ connectionId: 'badge_office' }, { cursor }));
    expect(manual.seen).toHaveLength(MANUAL);
    expect(new Set(manual.seen.map((o) => o.orderId)).size).toBe(MANUAL);
    expect(manual.pages).toBe(Math.ceil(MANUAL / 1000));
  });

  it('streams every order to the fulfil task, the verify task and the timers, a page at a time', async () => {
    const pending = new Set<string>();
    expect(await count(queries.ordersInStates([1]), (o) => pending.add(o.orderId))).toBe(PENDING);
    expect(pending.size).toBe(PENDING);
    expect(await count(queries.ordersInStates([8], { connectionId: 'hr_app' }))).toBe(EXECUTED);
    expect(await count(queries.ordersInStates([2, 5]))).toBe(REVIEW + MANUAL);
    expect(await queries.countOrdersInStates([8])).toBe(EXECUTED);
    expect(await count(openOrdersWithDates(pool, [2, 8], { pageSize: 999 }))).toBe(MANUAL + EXECUTED);
    expect(await count(openOrdersWithDates(pool, [1, 3]))).toBe(PENDING);
  });

  it('verifies all 4,000 executed orders of one synchronization', async () => {
    const roleModel = { connection: () => ({ onDrift: 'report' }) } as unknown as RoleModel;
    const synchronization = new SynchronizationService(new AssignmentCommands(store), store, pool, roleModel);
    const first = REVIEW + MANUAL + PENDING;
    const accounts = Array.from({ length: EXECUTED }, (_, i) => ({
      accountKey: `user${first + i}`,
      attributes: { n: String(first + i) },
    }));
    const outcome = await synchronization.record({
      connectionId: 'hr_app',
      synchronizationId: randomUUID(),
      accounts,
      memberships: [],
    });
    expect(outcome.verified).toBe(EXECUTED);
    const verified = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM es.events WHERE event_type = 'ProvisioningOrderVerified'`,
    );
    expect(Number(verified.rows[0].n)).toBe(EXECUTED);
  });
});
