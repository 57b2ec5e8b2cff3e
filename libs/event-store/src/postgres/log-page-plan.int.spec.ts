/**
 * A page of the log is planned once per connection (ADR 0091). PostgreSQL plans a named
 * statement for its values five times, then keeps one generic plan only if that plan's estimate
 * is no worse; at the tail of a grown log a page's values (its position and size, the filter's
 * arrays) made every plan for them look cheaper than the generic one, so each read was planned
 * again, and planning cost more than the read. Its values now reach the plan only as sub-selects.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase, waitFor } from '@prov/testing';
import type { EventFilter, Position, RecordedEvent } from '../core';
import { PostgresEventStore } from './postgres-event-store';

const STREAMS = 2_000;
const EVENTS_PER_STREAM = 5;
const TYPES = ['Generated', 'Dispatched', 'Executed', 'Reported', 'Shown'];

let db: TestDatabase;
let pool: Pool;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase('logplan');
  // One connection, so that its prepared statements are the store's.
  pool = new Pool({ connectionString: db.url, max: 1 });
  store = await PostgresEventStore.connect({ pool });
  for (let first = 0; first < STREAMS; first += 250) {
    const appends = [];
    for (let i = first; i < first + 250; i++) {
      const events = TYPES.map((type) => ({ id: randomUUID(), type, data: { i, padding: 'x'.repeat(200) } }));
      appends.push(store.appendToStream(`plan-${i}`, events));
    }
    await Promise.all(appends);
  }
  await pool.query('ANALYZE es.streams');
  await pool.query('ANALYZE es.events');
  // Other test files' transactions hold the log gate back for a moment: wait for every event.
  await waitFor(() => countVisible(), {
    until: (count) => count === STREAMS * EVENTS_PER_STREAM,
    timeoutMs: 60_000,
    description: 'every event below the log gate',
  });
}, 120_000);

afterAll(async () => {
  await store.close();
  await pool.end();
  await db.drop();
});

async function countVisible(): Promise<number> {
  let count = 0;
  let after: Position | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    count += page.events.length;
    if (page.isEnd) return count;
    after = page.lastPosition;
  }
}

/** The position eight events before the end of the log: a live reader's next page. */
async function nearTheEnd(): Promise<Position> {
  const positions: Position[] = [];
  let after: Position | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    positions.push(...page.events.map((event) => event.position));
    positions.splice(0, positions.length - 8);
    if (page.isEnd) return positions[0];
    after = page.lastPosition;
  }
}

/** The first `count` events `filter` lets through, page after page. */
async function eventsThrough(filter: EventFilter | undefined, count: number): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after: Position | undefined;
  while (events.length < count) {
    const page = await store.readAll({ after, maxCount: 1000, filter });
    events.push(...page.events);
    if (page.isEnd) break;
    after = page.lastPosition;
  }
  return events.slice(0, count);
}

async function plansOfPageReads(): Promise<{ name: string; generic: number; custom: number }[]> {
  const { rows } = await pool.query<{ name: string; generic: string; custom: string }>(
    `SELECT name, generic_plans AS generic, custom_plans AS custom
       FROM pg_prepared_statements WHERE name LIKE 'es.read_all%' ORDER BY name`,
  );
  return rows.map((row) => ({ name: row.name, generic: Number(row.generic), custom: Number(row.custom) }));
}

describe('the plan of a page of the log', () => {
  it.each<[string, EventFilter | undefined]>([
    ['without a filter', undefined],
    ['through a filter', { streamNamePrefixes: ['plan-'], eventTypes: ['Generated', 'Executed'] }],
    ['through type prefixes', { eventTypePrefixes: ['Gen', 'Exec'] }],
  ])(
    'given a grown log, when a live reader reads its tail again and again %s, then the page is planned for its values five times and then once for all',
    async (_, filter) => {
      const after = await nearTheEnd();
      const before = new Map((await plansOfPageReads()).map((plan) => [plan.name, plan]));

      for (let read = 0; read < 20; read++) {
        const page = await store.readAll({ after, maxCount: 500, filter });
        expect(page.isEnd).toBe(true);
      }

      const read = (await plansOfPageReads()).filter(
        (plan) =>
          plan.generic +
            plan.custom -
            (before.get(plan.name)?.generic ?? 0) -
            (before.get(plan.name)?.custom ?? 0) >=
          20,
      );
      expect(read).toHaveLength(1);
      // PostgreSQL's rule: plans for the values at the first five executions, then the generic
      // plan when its estimate is no worse than theirs.
      expect(read[0].custom).toBeLessThanOrEqual(5);
      expect(read[0].generic).toBeGreaterThanOrEqual(15);
    },
  );

  it('given pages planned once, when a reader reads from the start of the log through a filter, then it gets the events an unfiltered read shows, in the same order', async () => {
    const filter = { eventTypes: ['Executed'] };
    for (let read = 0; read < 8; read++) await store.readAll({ maxCount: 1000, filter });

    const through = await eventsThrough(filter, 1000);

    const all = await eventsThrough(undefined, STREAMS * EVENTS_PER_STREAM);
    const executed = all.filter((event) => event.type === 'Executed').slice(0, 1000);
    expect(through.map((event) => event.id)).toEqual(executed.map((event) => event.id));
  });
});
