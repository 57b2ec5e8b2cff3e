import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { eventColumns } from './rows';
import { APPENDER_LOCK } from './schema/migrations';

/**
 * The gate of the global log (ADR 0004, ADR 0042): the bound below which the log can no longer
 * change, taken from the page read's own snapshot.
 *
 * Every transaction id below the snapshot's xmax that is not in its xip list has ended, so its
 * events are visible to that snapshot or will never exist. The ids in xip (the process array, with
 * no gap between an id's assignment and its appearance there) are still running: the gate is the
 * smallest of them that is not positively known to be a non-appender, or xmax when there is none.
 * Gate and page come from one snapshot, so no late commit can land below the gate afterwards.
 *
 * A running transaction is a non-appender when, in one read of the lock table, its
 * transaction-id lock is held by a backend that does not hold the appenders' shared advisory lock.
 * Appends take that lock before their transaction has an id and keep it until after the id's lock
 * is released, and a transaction that has an id can never start appending (`ES400`), so the
 * verdict holds for good and is remembered. An id whose lock is not seen (the moment between
 * assignment and lock, a prepared transaction) stays in the gate: unknown is treated as appending.
 *
 * The lock table is only read when the gate stands on an id of unknown kind and committed events
 * lie above it; a page read is otherwise one statement with no catalog view in it.
 */
export interface GateColumns {
  /** The snapshot's xmin: remembered ids below it have ended and are dropped. */
  gate_xmin: string;
  /** Running ids not known as non-appenders, set only when one of unknown kind holds events back. */
  gate_unknown: string[] | null;
  /** Committed events lie above the gate: a running transaction holds them back (ADR 0064). */
  gate_held_back?: boolean;
}

/** Remembered verdicts are few (running transactions); the cap only bounds a pathological case. */
const MAX_REMEMBERED = 10_000;

export class LogGate {
  private readonly nonAppenders = new Set<string>();
  private readonly appenders = new Set<string>();
  private classifying: { xids: Set<string>; done: Promise<void> } | undefined;
  /** Lock-table reads so far (tests and benchmarks read it). */
  classifications = 0;

  constructor(private readonly pool: Pool) {}

  /**
   * The gate as a CTE named `gate` with columns `gate` (xid8) and those of {@link GateColumns};
   * `known` and `appending` are the parameter numbers of {@link parameters}' two arrays.
   */
  static cte(known: number, appending: number): string {
    return `snap AS MATERIALIZED (
       SELECT pg_snapshot_xmin(s) AS xmin, pg_snapshot_xmax(s) AS xmax,
              ARRAY(SELECT x FROM pg_snapshot_xip(s) x WHERE x <> ALL (${unseen(`$${known}`, 'xid8[]')}::xid8[]) ORDER BY x) AS running
         FROM pg_current_snapshot() s),
     held AS MATERIALIZED (
       SELECT snap.*, cardinality(running) > 0
                      -- ordered as the index, so that it is an index probe
                      AND (SELECT h.transaction_id FROM es.events h WHERE h.transaction_id > snap.running[1]
                            ORDER BY h.transaction_id LIMIT 1) IS NOT NULL AS held_back
         FROM snap),
     gate AS MATERIALIZED (
       SELECT coalesce(running[1], xmax) AS gate, xmin::text AS gate_xmin,
              CASE WHEN held_back AND running[1] <> ALL (${unseen(`$${appending}`, 'xid8[]')}::xid8[])
                   THEN running::text[] END AS gate_unknown,
              held_back AS gate_held_back
         FROM held)`;
  }

  /** The two arrays {@link cte} reads: ids known not to append, ids known to append. */
  parameters(): [string[], string[]] {
    return [[...this.nonAppenders], [...this.appenders]];
  }

  /**
   * Takes in what a read's gate reported. Returns true when the gate stood on an id of unknown
   * kind with events above it and the lock table has now been read: reading again may go further.
   */
  async settle(columns: GateColumns | undefined): Promise<boolean> {
    if (!columns) return false;
    this.forgetBelow(BigInt(columns.gate_xmin));
    if (!columns.gate_unknown) return false;
    const unknown: string[] = [];
    for (const xid of columns.gate_unknown) {
      if (this.appenders.has(xid)) break; // ids above a running appender cannot move the gate
      if (!this.nonAppenders.has(xid)) unknown.push(xid);
    }
    if (unknown.length === 0) return true;
    await this.classify(unknown);
    return true;
  }

  /**
   * The gate alone, for a reader that holds one bound over several statements (the replay's
   * stream-order load): every id below it has ended or never appends, so later snapshots see all
   * of the log below it. When an id of unknown kind holds it back, the lock table is read once and
   * the gate taken again; a lower gate than possible is safe, only later.
   */
  async bound(): Promise<string> {
    for (let attempt = 0; ; attempt += 1) {
      const { rows } = await this.pool.query<GateColumns & { gate: string }>(
        `WITH ${LogGate.cte(1, 2)} SELECT gate::text AS gate, gate_xmin, gate_unknown FROM gate`,
        this.parameters(),
      );
      if (attempt > 0 || !(await this.settle(rows[0]))) return rows[0].gate;
    }
  }

  private forgetBelow(xmin: bigint): void {
    for (const set of [this.nonAppenders, this.appenders]) {
      for (const xid of set) if (BigInt(xid) < xmin) set.delete(xid);
    }
  }

  /** One read of the lock table for all of `xids`; a classification on its way that covers them is shared. */
  private classify(xids: string[]): Promise<void> {
    const running = this.classifying;
    if (running && xids.every((xid) => running.xids.has(xid))) return running.done;
    const done = this.readLocks(xids);
    const current = { xids: new Set(xids), done };
    this.classifying = current;
    const forget = () => {
      if (this.classifying === current) this.classifying = undefined;
    };
    done.then(forget, forget);
    return done;
  }

  private async readLocks(xids: string[]): Promise<void> {
    this.classifications += 1;
    for (const verdict of await appenderVerdicts(this.pool, xids)) {
      const set = verdict.appender ? this.appenders : this.nonAppenders;
      if (set.size >= MAX_REMEMBERED) set.clear(); // forgetting a verdict is always safe
      set.add(verdict.xid);
    }
  }
}

/**
 * A parameter the planner cannot see: a sub-select, which runs once per execution (an InitPlan).
 * PostgreSQL plans a named statement for its values five times, then keeps its generic plan only
 * when that plan's estimate is no worse than theirs. At the tail of a grown log a page's values
 * (a position near the end, a size, the filter's few names) made every plan for them look cheaper
 * than the generic one, the same index range, so every read was planned again, and the planning
 * cost more than the read (ADR 0091). Hidden, the values leave both estimates alike.
 */
export function unseen(parameter: string, type: string): string {
  return `(SELECT ${parameter}::${type})`;
}

const pageStatements = new Map<string, { name: string; text: string }>();

/**
 * The page read below the gate, for a filter's SQL condition: $1/$2 the position after which to
 * read, $3 the rows to scan, $4/$5 the arrays of {@link LogGate.parameters}; with a condition, $6
 * the events to return and the condition's values from $7 on (so there are few texts). Named, so
 * that each connection plans it once instead of on every read, which was most of a read's
 * PostgreSQL CPU at the tail of the log; its plan does not depend on the values (the gate comes
 * from the snapshot, the page is an index range in index order), and the values reach it only
 * through {@link unseen}, so that PostgreSQL keeps that one plan (ADR 0091). Named after its text,
 * so that stores sharing a pool (and so connections) agree on every name.
 *
 * With a condition, only the first $6 matching rows come back, with their stream, type, payload
 * and time (`payload`, ADR 0084), and the last row scanned, with its position and how many rows
 * were scanned (`scanned`, ADR 0088). A row the filter drops only moves the position on, and a
 * matching row past the page's last event is read again by the next page: each used to come back,
 * and a reaction's filter drops most of the log (the orders service's three read 15 rows per
 * order in a bulk load, and handle 2).
 */
export function pageStatement(condition: string | undefined): { name: string; text: string } {
  let statement = pageStatements.get(condition ?? '');
  if (!statement) {
    // The columns eventColumns reads, not e.*: with a condition every scanned row passes through
    // the running count's window, and the hash and the rest would only weigh on it.
    const scan = `SELECT ${condition ?? 'true'} AS matches, e.stream_name, e.stream_revision, e.transaction_id,
                         e.global_position, e.event_id, e.event_type, e.data, e.metadata, e.created_at
                    FROM es.events e
                   WHERE (e.transaction_id, e.global_position) > (${unseen('$1::text', 'xid8')}, ${unseen('$2', 'bigint')})
                     AND e.transaction_id < g.gate
                   ORDER BY e.transaction_id, e.global_position
                   LIMIT ${unseen('$3', 'int')}`;
    const page = condition
      ? `SELECT e.matches, e.scanned, ${eventColumns('e.payload')}
            FROM (SELECT m.*, m.matches AND count(*) FILTER (WHERE m.matches) OVER w <= ${unseen('$6', 'int')} AS payload,
                         row_number() OVER w::int AS scanned, lead(true) OVER w IS NULL AS last
                    FROM (${scan}) m
                  WINDOW w AS (ORDER BY m.transaction_id, m.global_position ROWS UNBOUNDED PRECEDING)) e
           WHERE e.payload OR e.last`
      : `SELECT e.matches, NULL::int AS scanned, ${eventColumns()} FROM (${scan}) e`;
    const text = `WITH ${LogGate.cte(4, 5)}
      SELECT g.gate_xmin, g.gate_unknown, g.gate_held_back, e.*
        FROM gate g LEFT JOIN LATERAL (${page}) e ON true`;
    statement = { name: `es.read_all_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text };
    pageStatements.set(condition ?? '', statement);
  }
  return statement;
}

/**
 * What the lock table says of running transactions, for each of `xids` whose transaction-id lock
 * a backend holds: `appender` true or false. Ids whose lock no backend holds (the moment between
 * assignment and lock, a prepared transaction) are left out: unknown.
 *
 * One scan of pg_locks, grouped by backend, so that an id's lock and the advisory lock are seen
 * at the same instant: read in two scans, an appender ending between them would look like a
 * non-appender. A scan still sees each lock partition at its own moment, and PREPARE TRANSACTION
 * hands a transaction's locks to a lockless process one partition after the other; so while a
 * prepared transaction holds the advisory lock, no id is declared a non-appender (its half-moved
 * locks could show a backend with the id's lock but not the advisory one).
 */
export async function appenderVerdicts(
  pool: Pool,
  xids: string[],
): Promise<{ xid: string; appender: boolean }[]> {
  const { rows } = await pool.query<{ xid: string; appender: boolean | null }>({
    name: 'es.log_gate_verdicts',
    text: `WITH holders AS MATERIALIZED (
             SELECT pid,
                    bool_or(locktype = 'advisory' AND classid = $2 AND objid = $3 AND objsubid = 2
                            AND database = (SELECT oid FROM pg_database
                                             WHERE datname = current_database())) AS appender,
                    array_agg(transactionid) FILTER (WHERE locktype = 'transactionid'
                                                       AND mode = 'ExclusiveLock' AND granted) AS xids
               FROM pg_locks GROUP BY pid)
           SELECT x::text AS xid,
                  CASE WHEN bool_or(h.appender) THEN true
                       WHEN NOT EXISTS (SELECT 1 FROM holders p WHERE p.pid IS NULL AND p.appender)
                       THEN false END AS appender
             FROM unnest($1::xid8[]) x
             JOIN holders h ON h.pid IS NOT NULL AND xid(x) = ANY (h.xids)
            GROUP BY x`,
    values: [xids, APPENDER_LOCK.classid, APPENDER_LOCK.objid],
  });
  return rows.filter((row): row is { xid: string; appender: boolean } => row.appender !== null);
}
