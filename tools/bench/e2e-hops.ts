import { Client, Pool } from 'pg';
import type { ReceivedSpan } from '@prov/testing';
import { ProvisioningState } from '@prov/domain';
import { percentile } from './e2e-measurements';

/**
 * Where a request's milliseconds go, hop by hop (ADR 0064), so that a run's p99 can be read off
 * the hop it comes from. From the event log for every order (its timestamps are the server's
 * `now()` of the append's transaction, the same clock as the bench's):
 *
 *   sent            the bench sent the HTTP request
 *   requested       AssignmentRequested appended (gateway, its coalescing, the requests service)
 *   generating      order generation began on it (ProvisioningOrderGenerated's `occurredAt`):
 *                   the commit's wake-up, the catch-up read and the reaction's queue
 *   generated       ProvisioningOrderGenerated appended: identity read, account claim, append
 *   reported        `orders` took the agent's report (ProvisioningOrderExecuted's `occurredAt`):
 *                   commit, publish, the work queue, the agent, the connector call (its
 *                   `durationMs` is shown on its own and left out of this hop) and the report batch
 *   executed        ProvisioningOrderExecuted appended
 *   shown           the read model shows 8 Executed (the bench's own watch, one query a poll)
 *
 * And from traces, when the services export them (BENCH_TRACE_RATIO): the hops inside
 * "generated → reported", per sampled order.
 */
export interface OrderTimes {
  assignmentId: string;
  requested: number;
  generating?: number;
  generated?: number;
  reported?: number;
  executed?: number;
  connectorMs?: number;
}

export interface HopFigure {
  hop: string;
  values: number[];
}

/** The per-order times of the assignments' first orders, in ms since the epoch. */
export async function orderTimes(databaseUrl: string, assignmentIds: string[]): Promise<OrderTimes[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const ms = (expression: string) => `EXTRACT(EPOCH FROM ${expression}) * 1000`;
  try {
    const { rows } = await client.query<Record<string, string | null>>(
      `SELECT substr(e.stream_name, length('assignment-') + 1) AS assignment_id,
              ${ms(`min(e.created_at) FILTER (WHERE e.event_type = 'AssignmentRequested')`)} AS requested,
              ${ms(`min((e.metadata ->> 'occurredAt')::timestamptz) FILTER (WHERE e.event_type = 'ProvisioningOrderGenerated')`)} AS generating,
              ${ms(`min(e.created_at) FILTER (WHERE e.event_type = 'ProvisioningOrderGenerated')`)} AS generated,
              ${ms(`max((e.metadata ->> 'occurredAt')::timestamptz) FILTER (WHERE e.event_type = 'ProvisioningOrderExecuted')`)} AS reported,
              ${ms(`max(e.created_at) FILTER (WHERE e.event_type = 'ProvisioningOrderExecuted')`)} AS executed,
              max((e.data -> 'connectorCall' ->> 'durationMs')::float8)
                FILTER (WHERE e.event_type = 'ProvisioningOrderExecuted') AS connector_ms
         FROM es.events e
        WHERE e.stream_name = ANY($1::text[])
        GROUP BY e.stream_name`,
      [assignmentIds.map((id) => `assignment-${id}`)],
    );
    const number = (value: string | null) => (value === null ? undefined : Number(value));
    return rows.map((row) => ({
      assignmentId: row.assignment_id!,
      requested: Number(row.requested),
      generating: number(row.generating),
      generated: number(row.generated),
      reported: number(row.reported),
      executed: number(row.executed),
      connectorMs: number(row.connector_ms),
    }));
  } finally {
    await client.end();
  }
}

const gap = (from: number | undefined, to: number | undefined) =>
  from === undefined || to === undefined ? undefined : to - from;

/**
 * From the bench's sending of each order's request to its Executed event, where both are known: the
 * latency a caller sees, the edge's wait included (ADR 0092), which the sustained verdict judges.
 */
export function sentToExecuted(orders: OrderTimes[], sentAt: ReadonlyMap<string, number>): number[] {
  return orders
    .map((o) => gap(sentAt.get(o.assignmentId), o.executed))
    .filter((v): v is number => v !== undefined && Number.isFinite(v));
}

/** The hops of every order, with the bench's send time and the read model's, where known. */
export function eventHops(
  orders: OrderTimes[],
  sentAt: ReadonlyMap<string, number> = new Map(),
  shownAt: ReadonlyMap<string, number> = new Map(),
): HopFigure[] {
  const hops: [string, (o: OrderTimes) => number | undefined][] = [
    ['sent → requested', (o) => gap(sentAt.get(o.assignmentId), o.requested)],
    ['requested → generating', (o) => gap(o.requested, o.generating)],
    ['generating → generated', (o) => gap(o.generating, o.generated)],
    [
      'generated → reported, less the connector call',
      (o) => {
        const between = gap(o.generated, o.reported);
        return between === undefined ? undefined : between - (o.connectorMs ?? 0);
      },
    ],
    ['connector call', (o) => o.connectorMs],
    ['reported → executed', (o) => gap(o.reported, o.executed)],
    ['executed → shown', (o) => gap(o.executed, shownAt.get(o.assignmentId))],
    ['requested → executed (the run’s latency)', (o) => gap(o.requested, o.executed)],
    ['sent → executed (the sustained verdict’s)', (o) => gap(sentAt.get(o.assignmentId), o.executed)],
    ['sent → shown', (o) => gap(sentAt.get(o.assignmentId), shownAt.get(o.assignmentId))],
  ];
  return hops.map(([hop, of]) => ({
    hop,
    values: orders.map(of).filter((v): v is number => v !== undefined && Number.isFinite(v)),
  }));
}

/**
 * The hops between "generated" and "reported" from one trace per sampled order: the spans of the
 * publish (orders), the agent's processing and connector call, and the report (agent → orders).
 */
export function traceHops(spans: ReceivedSpan[]): HopFigure[] {
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  const hops: [string, (s: (name: string) => ReceivedSpan | undefined) => number | undefined][] = [
    ['publish (until JetStream’s ack)', (s) => spanGap(s('publish '), 'start', s('publish '), 'end')],
    ['publish → agent starts', (s) => spanGap(s('publish '), 'start', s('process '), 'start')],
    ['agent starts → connector call', (s) => spanGap(s('process '), 'start', s('connector '), 'start')],
    ['connector call (span)', (s) => spanGap(s('connector '), 'start', s('connector '), 'end')],
    ['connector done → report sent', (s) => spanGap(s('connector '), 'end', s('create '), 'start')],
    ['report sent → orders records it', (s) => spanGap(s('create '), 'start', s('record '), 'start')],
    ['orders records the report', (s) => spanGap(s('record '), 'start', s('record '), 'end')],
  ];
  const traces = [...byTrace.values()].filter((t) => t.some((s) => s.name.startsWith('record order report')));
  return hops.map(([hop, of]) => ({
    hop,
    values: traces
      .map((trace) => of((prefix) => trace.find((span) => span.name.startsWith(prefix) && isOrderHop(span))))
      .filter((v): v is number => v !== undefined && Number.isFinite(v)),
  }));
}

/** The order's hops only: its own publish, processing, connector call, report and recording. */
function isOrderHop(span: ReceivedSpan): boolean {
  return /^(publish prov\.orders\.|process prov\.orders\.|connector |create prov\.cmd\.orders\.report|record order report)/.test(
    span.name,
  );
}

function spanGap(
  from: ReceivedSpan | undefined,
  fromEdge: 'start' | 'end',
  to: ReceivedSpan | undefined,
  toEdge: 'start' | 'end',
): number | undefined {
  if (!from || !to || from.startMs === undefined || to.startMs === undefined) return undefined;
  const at = (span: ReceivedSpan, edge: 'start' | 'end') => (edge === 'start' ? span.startMs : span.endMs);
  return gap(at(from, fromEdge), at(to, toEdge));
}

/** One line per hop: p50 / p99 / max in ms and how many orders it covers. */
export function formatHops(title: string, hops: HopFigure[]): string {
  const lines = hops
    .filter((h) => h.values.length > 0)
    .map((h) => {
      const sorted = [...h.values].sort((a, b) => a - b);
      const f = (v: number) => v.toFixed(0).padStart(6);
      return `  ${h.hop.padEnd(48)} p50 ${f(percentile(sorted, 50))}  p99 ${f(percentile(sorted, 99))}  max ${f(sorted.at(-1)!)} ms  (${sorted.length})`;
    });
  return [`${title}:`, ...lines].join('\n');
}

/**
 * When the read model first shows each watched assignment Executed, as the API would: one query
 * for the ones not yet seen every `intervalMs` (so a time is late by up to that, half on average).
 */
/**
 * Ids one poll asks about: at 200 orders/s a 20 ms poll sees about 4 shown, so 200 leaves a wide
 * margin. With 2,000, a backlog made every poll look up 2,000 ids that were not shown yet: 100,000
 * index lookups a second, about a quarter of a core taken from the engine it measures.
 */
const WATCHED_PER_POLL = 200;

/**
 * The bench's own sessions never get parallel workers: a worker is a process the postmaster forks
 * and reaps, and its CPU would be counted as the engine's ("ended sessions", the postmaster).
 */
export const BENCH_SESSION_OPTIONS = '-c max_parallel_workers_per_gather=0';

export class ReadModelWatch {
  readonly shownAt = new Map<string, number>();
  private readonly waiting = new Set<string>();
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  /** Its own connection, named so that its backend counts as the bench's, not the engine's. */
  private readonly pool: Pool;

  constructor(
    databaseUrl: string,
    readonly intervalMs = 20,
  ) {
    this.pool = new Pool({
      connectionString: databaseUrl,
      max: 1,
      application_name: 'bench (read-model watch)',
      options: BENCH_SESSION_OPTIONS,
    });
    this.pool.on('error', () => undefined);
  }

  add(assignmentId: string): void {
    this.waiting.add(assignmentId);
    this.timer ??= setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, this.intervalMs);
  }

  /** Resolves once every watched assignment was seen, or at the deadline. */
  async stop(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.waiting.size > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, this.intervalMs));
    clearInterval(this.timer);
    await this.polling;
    await this.pool.end();
  }

  private async poll(): Promise<void> {
    if (this.waiting.size === 0) return;
    // The oldest few only (a Set iterates in insertion order): when the engine falls behind, a
    // query over every waiting id grew with the backlog and its own cost widened the backlog.
    const oldest: string[] = [];
    for (const id of this.waiting) {
      if (oldest.length === WATCHED_PER_POLL) break;
      oldest.push(id);
    }
    // By key alone, the state compared here: with the state in the condition the planner also
    // read the state's index, every Executed assignment's entry, at each poll (35 buffers per
    // order, planned at every call), on the cores the engine was measured on.
    const { rows } = await this.pool
      .query<{ assignment_id: string; code: number }>({
        name: 'bench.watch',
        text: 'SELECT assignment_id, provisioning_state_code AS code FROM rm.assignments WHERE assignment_id = ANY($1)',
        values: [oldest],
      })
      .catch(() => ({ rows: [] as { assignment_id: string; code: number }[] }));
    const now = Date.now();
    for (const { assignment_id: id, code } of rows) {
      if (code !== ProvisioningState.Executed) continue;
      this.waiting.delete(id);
      this.shownAt.set(id, now);
    }
  }
}
