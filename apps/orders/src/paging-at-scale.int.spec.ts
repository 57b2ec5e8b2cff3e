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
import { PostgresEventStore } from '@prov/event-store';
import {
  allPages,
  openOrdersWithDates,
  type OrderView,
  Projector,
  ReadModelQueries,
} from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { AssignmentCommands } from './assignment-commands';
import { SynchronizationService } from './synchronization.service';

jest.setTimeout(1_800_000);

/**
 * No silent limits: 20,000 open orders (20 times the old cut-off of 1,000), seeded through the
 * event store (one append per assignment holding all its events) while the projector follows.
 * The queues are walked page by page to the end, the internal scans return every row, and one
 * synchronization verifies every executed order (2,000: two pages of the scan, and twice the old
 * cut-off, at one command per order). Most orders wait for review: two events each, the fewest
 * an open order takes, to keep the seed quick.
 */
const REVIEW = 15_000; // AwaitingApproval
const MANUAL = 3_000; // Transmitted
const EXECUTED = 2_000; // Executed on hr_app, waiting for verification
const now = new Date('2030-01-01T08:00:00.000Z');
const metadata = commandMetadata({ actor: 'test' }, now);

function seedCommands(index: number): { assignmentId: string; commands: AssignmentCommand[] } {
  const assignmentId = deterministicUuid('scale', String(index));
  const orderId = deterministicUuid('scale-order', String(index));
  const kind = index < REVIEW ? 'review' : index < REVIEW + MANUAL ? 'manual' : 'executed';
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

async function inParallel(
  count: number,
  width: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

describe('20,000 open orders: every page, every order', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  let projector: Projector;
  let queries: ReadModelQueries;

  beforeAll(async () => {
    db = await createTestDatabase('scale');
    pool = new Pool({ connectionString: db.url, max: 10 });
    store = await PostgresEventStore.connect({ pool });
    // The projector follows the log while it is written, as in production.
    projector = new Projector(pool, store);
    await projector.start();
    await inParallel(REVIEW + MANUAL + EXECUTED, 8, async (index) => {
      const { assignmentId, commands } = seedCommands(index);
      const events = eventsOf(commands).map((event) => ({
        id: randomUUID(),
        type: event.type,
        data: event.data,
        metadata,
      }));
      await store.appendToStream(assignmentStreamName(assignmentId), events, {
        expectedRevision: 'no_stream',
      });
    });
    queries = new ReadModelQueries(pool);
    const deadline = Date.now() + 1_500_000;
    for (;;) {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM rm.orders');
      if (Number(rows[0].n) === REVIEW + MANUAL + EXECUTED) break;
      if (Date.now() > deadline) throw new Error(`the projector made ${rows[0].n} orders in time`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  afterAll(async () => {
    await projector?.stop();
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

  it('scans every order for the fulfil task and the timers', async () => {
    expect(await queries.ordersInStates([8])).toHaveLength(EXECUTED);
    expect(await queries.ordersInStates([2, 5])).toHaveLength(REVIEW + MANUAL);
    expect(await openOrdersWithDates(pool, [2, 8], undefined, 999)).toHaveLength(MANUAL + EXECUTED);
  });

  it('verifies all 2,000 executed orders of one synchronization', async () => {
    const roleModel = { connection: () => ({ onDrift: 'report' }) } as unknown as RoleModel;
    const synchronization = new SynchronizationService(new AssignmentCommands(store), store, pool, roleModel);
    const accounts = Array.from({ length: EXECUTED }, (_, i) => ({
      accountKey: `user${REVIEW + MANUAL + i}`,
      attributes: { n: String(REVIEW + MANUAL + i) },
    }));
    const outcome = await synchronization.record({
      connectionId: 'hr_app',
      synchronizationId: randomUUID(),
      accounts,
      memberships: [],
    });
    expect(outcome.verified).toBe(EXECUTED);
  });
});
