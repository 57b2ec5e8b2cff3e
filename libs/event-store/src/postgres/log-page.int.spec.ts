/**
 * A filtered page of the log (ADRs 0084, 0088): the rows the filter drops only move the position
 * on, and matching rows past the page's last event are read again by the next page, so the server
 * sends neither, but for the last row it scanned, with its position and how many it scanned; the
 * page's events come back whole.
 */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase, waitFor } from '@prov/testing';
import type { Position } from '../core';
import { type GateColumns, LogGate, pageStatement } from './log-gate';
import { PostgresEventStore } from './postgres-event-store';

const event = (type: string) => ({ id: randomUUID(), type, data: { type }, metadata: { by: 'test' } });

let db: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase('logpage');
  store = await PostgresEventStore.connect(db.url);
  await store.appendToStream('page-a', [event('Kept'), event('Dropped'), event('Kept')]);
  await store.appendToStream('page-b', [event('Dropped')]);
  // The log shows events below the oldest transaction running in the cluster, and other test files
  // run theirs meanwhile: wait until all four are below that gate (it only moves on).
  await waitFor(async () => (await store.readAll({ maxCount: 10 })).events.length, {
    until: (count) => count === 4,
    timeoutMs: 30_000,
    description: 'the four events below the log gate',
  });
});

afterAll(async () => {
  await store.close();
  await db.drop();
});

describe('a filtered page of the log', () => {
  it('given kept and dropped events, when a page of one event is read below the gate, then it holds that event whole and the last row scanned as its position and count', async () => {
    // With the gate's verdicts as the store passes them: a transaction of another test file that
    // appends nothing must not hold the page back.
    const gate = new LogGate(store.pool);
    const rows = await waitFor(
      async () => {
        const { rows } = await store.pool.query<Record<string, unknown>>({
          ...pageStatement(`e.event_type = 'Kept'`),
          values: ['0', '0', 100, ...gate.parameters(), 1],
        });
        await gate.settle(rows[0] as unknown as GateColumns);
        return rows;
      },
      {
        until: (rows) => rows.at(-1)?.scanned === 4,
        timeoutMs: 30_000,
        description: 'the page below the log gate',
      },
    );

    // The dropped event and the second kept one (past the page's one event) stay in the server.
    expect(rows).toHaveLength(2);
    expect(rows.map((row) => row.matches)).toEqual([true, false]);
    expect(rows[0]).toMatchObject({
      stream_name: 'page-a',
      stream_revision: '0',
      event_type: 'Kept',
      scanned: 1,
    });
    expect(rows[0]).toMatchObject({ data: { type: 'Kept' }, metadata: { by: 'test' } });
    expect(rows[0].created_at).toBeInstanceOf(Date);
    const last = rows[1];
    expect(last).toMatchObject({ stream_name: null, stream_revision: null, event_type: null, scanned: 4 });
    expect(last).toMatchObject({ data: null, metadata: null, created_at: null });
    expect(last.event_id).toEqual(expect.any(String));
    expect(last.transaction_id).toEqual(expect.any(String));
    expect(last.global_position).toEqual(expect.any(String));
  });

  it('given the same log, when read through the filter a page of one event at a time, then each kept event comes whole, once, in order', async () => {
    const seen: unknown[] = [];
    let after: Position | undefined;
    for (let reads = 0; reads < 10; reads++) {
      const page = await store.readAll({ after, filter: { eventTypes: ['Kept'] }, maxCount: 1 });
      seen.push(...page.events.map((e) => [e.streamName, e.revision, e.type, e.data, e.metadata.by]));
      after = page.lastPosition ?? after;
      if (page.isEnd) break;
    }
    expect(seen).toEqual([
      ['page-a', 0n, 'Kept', { type: 'Kept' }, 'test'],
      ['page-a', 2n, 'Kept', { type: 'Kept' }, 'test'],
    ]);
  });

  it('given the same log, when read through the filter of readAll, then the kept events are whole and the page ends past the dropped ones', async () => {
    const page = await store.readAll({ filter: { eventTypes: ['Kept'] }, maxCount: 10 });
    expect(page.events.map((e) => [e.streamName, e.revision, e.type, e.data])).toEqual([
      ['page-a', 0n, 'Kept', { type: 'Kept' }],
      ['page-a', 2n, 'Kept', { type: 'Kept' }],
    ]);
    for (const e of page.events) {
      expect(e.metadata).toMatchObject({ by: 'test' });
      expect(e.createdAt).toBeInstanceOf(Date);
    }
    const all = await store.readAll({ maxCount: 10 });
    expect(page.lastPosition).toBe(all.events.at(-1)?.position);
    expect(page.isEnd).toBe(true);
  });
});
