/** The read scenario of the event-store benchmark: the whole log through readAll vs a keyset SELECT. */
import type { Pool } from 'pg';
import type { Position, PostgresEventStore } from '@prov/event-store';
import type { Measurement } from './event-store-writers';

const READ_LIMIT = 300_000;
const READ_SECONDS = 10;

export async function readWholeLog(store: PostgresEventStore): Promise<Measurement> {
  const latenciesMs: number[] = [];
  let after: Position | undefined;
  let events = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + READ_SECONDS * 1000;
  while (events < READ_LIMIT && Date.now() < deadline) {
    const t0 = process.hrtime.bigint();
    const page = await store.readAll({ after, maxCount: 1000 });
    latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    events += page.events.length;
    after = page.lastPosition ?? after;
    if (page.isEnd) break;
  }
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9, latenciesMs };
}

export async function readRawTable(pool: Pool): Promise<Measurement> {
  const latenciesMs: number[] = [];
  let after = '0';
  let events = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + READ_SECONDS * 1000;
  while (events < READ_LIMIT && Date.now() < deadline) {
    const t0 = process.hrtime.bigint();
    const { rows } = await pool.query<{ global_position: string }>(
      // Qualified in ORDER BY: a bare name would mean the text output column and sort as text.
      `SELECT e.global_position::text AS global_position, e.stream_name, e.stream_revision::text AS stream_revision,
              e.event_id::text AS event_id, e.event_type, e.data, e.metadata, e.created_at
         FROM bench_raw.events e WHERE e.global_position > $1 ORDER BY e.global_position LIMIT 1000`,
      [after],
    );
    latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    events += rows.length;
    if (rows.length < 1000) break;
    after = rows[rows.length - 1].global_position;
  }
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9, latenciesMs };
}
