/**
 * The writers the event-store benchmark compares, each appending single events or batches to its
 * own streams (STREAM_LENGTH events per stream, like a busy aggregate): our store, Emmett's
 * PostgreSQL store and a plain INSERT into a table of the same shape (the baseline).
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { EventData, PostgresEventStore } from '@prov/event-store';

export const STREAM_LENGTH = 100;
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

export interface Measurement {
  events: number;
  seconds: number;
  latenciesMs: number[];
}

export type Writer = (writer: number) => Promise<number>;

export const perSecond = (m: Measurement) => m.events / m.seconds;
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

export function payload(writer: number, n: number): EventData {
  return {
    id: randomUUID(),
    type: 'AssignmentRequested',
    data: {
      assignmentId: randomUUID(),
      identityId: `identity-${writer}-${n}`,
      roleId: 'role-finance-approver',
      reason: 'quarterly access review follow-up',
      validUntil: '2027-01-01T00:00:00Z',
    },
    metadata: { correlationId: randomUUID(), actor: 'bench', occurredAt: new Date().toISOString() },
  };
}

/** Runs `writers` loops for SECONDS; each calls `append(writer)` and counts what it wrote. */
export async function measure(writers: number, append: Writer): Promise<Measurement> {
  const latenciesMs: number[] = [];
  let events = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (Date.now() < deadline) {
        const t0 = process.hrtime.bigint();
        const written = await append(writer); // not `events += await ...`: that would lose concurrent increments
        events += written;
        latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9, latenciesMs };
}

/**
 * Per writer: the stream it writes and the revision it last saw; moves to a new stream after
 * STREAM_LENGTH events. `append` gets the stream and the last revision (undefined: new stream).
 */
function streamWriter<R>(
  prefix: string,
  batch: number,
  append: (stream: string, events: EventData[], last: R | undefined) => Promise<{ next: R; length: number }>,
): Writer {
  const state = new Map<number, { stream: number; last: R | undefined }>();
  return async (writer) => {
    const s = state.get(writer) ?? { stream: 0, last: undefined };
    state.set(writer, s);
    const events = Array.from({ length: batch }, (_, i) => payload(writer, i));
    const { next, length } = await append(`${prefix}-w${writer}-${s.stream}`, events, s.last);
    s.last = next;
    if (length >= STREAM_LENGTH) Object.assign(s, { stream: s.stream + 1, last: undefined });
    return batch;
  };
}

/** Appends through our store with exact expected revisions. */
export function storeWriter(store: PostgresEventStore, run: string, batch: number): Writer {
  return streamWriter<bigint>(`bench${run}`, batch, async (stream, events, last) => {
    const result = await store.appendToStream(stream, events, { expectedRevision: last ?? 'no_stream' });
    return { next: result.nextExpectedRevision, length: Number(result.nextExpectedRevision) + 1 };
  });
}

/** The minimal surface of Emmett's PostgreSQL store the benchmark uses (loaded at run time). */
export interface EmmettStore {
  appendToStream(
    stream: string,
    events: { type: string; data: unknown; metadata?: Record<string, unknown> }[],
    options: { expectedStreamVersion: bigint | string },
  ): Promise<{ nextExpectedStreamVersion: bigint }>;
  close(): Promise<void>;
}

/** Appends through Emmett with exact expected versions (Emmett's versions count from 1). */
export function emmettWriter(store: EmmettStore, doesNotExist: string, run: string, batch: number): Writer {
  return streamWriter<bigint>(`emmett${run}`, batch, async (stream, events, last) => {
    const result = await store.appendToStream(
      stream,
      events.map((e) => ({ type: e.type, data: e.data, metadata: e.metadata })),
      { expectedStreamVersion: last ?? doesNotExist },
    );
    return { next: result.nextExpectedStreamVersion, length: Number(result.nextExpectedStreamVersion) };
  });
}

/** The same rows through a plain INSERT (one statement per batch), no checks, no lock, no NOTIFY. */
export function rawWriter(pool: Pool, run: string, batch: number): Writer {
  return streamWriter<number>(`raw${run}`, batch, async (stream, events, last) => {
    const first = last ?? 0;
    await pool.query(
      `INSERT INTO bench_raw.events (stream_name, stream_revision, event_id, event_type, data, metadata)
       SELECT $1, r, i, t, d, m FROM unnest($2::bigint[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) AS u (r, i, t, d, m)`,
      [
        stream,
        events.map((_, i) => first + i),
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data)),
        events.map((e) => JSON.stringify(e.metadata)),
      ],
    );
    return { next: first + events.length, length: first + events.length };
  });
}

export const RAW_SCHEMA = `
  DROP SCHEMA IF EXISTS bench_raw CASCADE;
  CREATE SCHEMA bench_raw;
  CREATE TABLE bench_raw.events (
    global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_name text NOT NULL, stream_revision bigint NOT NULL, event_id uuid NOT NULL, event_type text NOT NULL,
    data jsonb NOT NULL, metadata jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_name, stream_revision), UNIQUE (stream_name, event_id));
  CREATE INDEX ON bench_raw.events (transaction_id, global_position);`;
