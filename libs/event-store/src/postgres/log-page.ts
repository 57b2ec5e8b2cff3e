/**
 * One page of the global log (the port's `readAll`), read below the log gate (log-gate.ts, ADR
 * 0042): the gate and the page come from one snapshot, and a filter's condition runs in the
 * server, which sends only the rows the page returns and the last one it scanned (ADR 0088).
 */
import type { Pool } from 'pg';
import { collectPage, type EventFilter, type ReadAllResult, scanLimitFor } from '../core';
import { type GateColumns, type LogGate, pageStatement, unseen } from './log-gate';
import { type EventRow, toPgPosition, toRecordedEvent } from './rows';

export interface LogPageRequest {
  /** The position read on from, as its two columns (the start is zeros). */
  after: { transactionId: string; globalPosition: string };
  maxCount: number;
  filter: EventFilter | undefined;
}

export async function readLogPage(
  pool: Pool,
  gate: LogGate,
  request: LogPageRequest,
): Promise<ReadAllResult> {
  const { after, maxCount, filter } = request;
  const scanLimit = scanLimitFor(maxCount, filter);
  const condition = filterCondition(filter, 7);
  // Gate and page in one statement, from one snapshot (log-gate.ts). When the gate stood on a
  // transaction of unknown kind, the lock table tells what it is and the page is read again: the
  // lock table twice at most, since each new snapshot may bring a newer one of unknown kind (the
  // page then stops short of it, which is safe; the next wake-up or poll reads on).
  const statement = pageStatement(filter ? condition.sql : undefined);
  for (let attempt = 1; ; attempt++) {
    const { rows } = await pool.query<
      EventRow & GateColumns & { matches: boolean | null; scanned: number | null }
    >({
      // Fields listed, not spread (ADR 0089).
      name: statement.name,
      text: statement.text,
      values: [
        after.transactionId,
        after.globalPosition,
        scanLimit,
        ...gate.parameters(),
        ...(filter ? [maxCount, ...condition.params] : []),
      ],
    });
    if (attempt < 3 && (await gate.settle(rows[0]))) continue;
    // Through a filter, rows it drops and matching rows past maxCount stay in the server, but for
    // the last one scanned, which tells how far the page got and how many rows it scanned
    // (pageStatement). The gate's row without events is left out.
    const returned = rows.filter((row) => row.event_id !== null);
    const page = collectPage(
      returned,
      scanLimit,
      maxCount,
      (row) => row.matches === true,
      toRecordedEvent,
      (row) => toPgPosition(row.transaction_id, row.global_position),
      returned.at(-1)?.scanned ?? returned.length,
    );
    // Said only at the end of the visible log: a page cut short by its size is read on at once.
    if (page.isEnd) page.heldBack = rows[0]?.gate_held_back === true;
    return page;
  }
}

/** SQL condition for the filter, with its parameters numbered from `first`. */
function filterCondition(filter: EventFilter | undefined, first: number): { sql: string; params: unknown[] } {
  if (!filter) return { sql: 'true', params: [] };
  const parts: string[] = [];
  const params: unknown[] = [];
  // Each array through unseen (ADR 0091); cast again, as ANY of a bare sub-select would compare
  // with its rows instead of the array's elements.
  const array = (value: string[]) => `${unseen(`$${first + params.push(value) - 1}`, 'text[]')}::text[]`;
  if (filter.streamNamePrefixes) {
    parts.push(
      `EXISTS (SELECT 1 FROM unnest(${array(filter.streamNamePrefixes)}) p WHERE starts_with(e.stream_name, p))`,
    );
  }
  if (filter.eventTypes || filter.eventTypePrefixes) {
    parts.push(
      `(e.event_type = ANY(${array(filter.eventTypes ?? [])}) OR EXISTS (SELECT 1 FROM ` +
        `unnest(${array(filter.eventTypePrefixes ?? [])}) p WHERE starts_with(e.event_type, p)))`,
    );
  }
  return { sql: parts.length > 0 ? parts.join(' AND ') : 'true', params };
}
