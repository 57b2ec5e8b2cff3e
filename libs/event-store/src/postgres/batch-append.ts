/**
 * Sends a group of appends to `es.append_group` (migration 9; `es.append_batch` before it) and turns its rows back into one outcome per
 * append, in the order given. Verdicts (wrong version, tombstone, duplicate ids) come back per
 * append; a failure of the whole statement (bad JSON in one append, a deadlock) makes each
 * append of the group run again alone, so only the append at fault fails.
 */
import type { Pool } from 'pg';
import type { AppendResult, PreparedAppend } from '../core';
import type { Outcome } from '@prov/gathering';
import { expectedRevisionParameter, mapAppendError, toPgPosition } from './rows';

export interface BatchRow {
  ordinal: number;
  error_code: string | null;
  error_message: string | null;
  error_detail: string | null;
  next_expected_revision: string | null;
  transaction_id: string | null;
  global_position: string | null;
}

/** The events of one append as the JSON text the function reads; data is stringified once, earlier. */
export function eventsJson(append: PreparedAppend): string {
  return `[${append.events
    .map(
      (e) =>
        `{"id":"${e.id}","type":${JSON.stringify(e.type)},"data":${e.dataJson},"metadata":${e.metadataJson}}`,
    )
    .join(',')}]`;
}

/**
 * Lock order: by stream name (code units), then arrival, so that every batch of every process
 * locks stream rows in the same order and two batches cannot deadlock.
 */
export function lockOrder(appends: readonly PreparedAppend[]): number[] {
  return appends
    .map((_, index) => index)
    .sort((a, b) => {
      const x = appends[a].streamName;
      const y = appends[b].streamName;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
}

export function outcomeOf(append: PreparedAppend, row: BatchRow | undefined): Outcome<AppendResult> {
  if (!row)
    return { ok: false, error: new Error(`append to ${append.streamName}: no result from the batch`) };
  if (row.error_code === null) {
    return {
      ok: true,
      value: {
        nextExpectedRevision: BigInt(row.next_expected_revision!),
        position: toPgPosition(row.transaction_id!, row.global_position!),
      },
    };
  }
  try {
    mapAppendError(
      {
        code: row.error_code,
        message: row.error_message ?? undefined,
        detail: row.error_detail ?? undefined,
      },
      { ...append, ids: append.events.map((e) => e.id) },
    );
  } catch (error) {
    return { ok: false, error };
  }
}

export function failed(append: PreparedAppend, error: unknown): Outcome<AppendResult> {
  try {
    mapAppendError(error, { ...append, ids: append.events.map((e) => e.id) });
  } catch (mapped) {
    return { ok: false, error: mapped };
  }
}

/**
 * `probeAll`: look every append's ids up before it is written. Without it the function skips the
 * lookup where a stored id can only be the caller's mistake (ADR 0046); the unique index then
 * fails the statement, and the append runs again alone with the lookup, which names the ids.
 */
export async function appendGroup(
  pool: Pool,
  appends: PreparedAppend[],
  probeAll = false,
): Promise<Outcome<AppendResult>[]> {
  const order = lockOrder(appends);
  let rows: BatchRow[];
  try {
    ({ rows } = await pool.query<BatchRow>({
      // Named: each connection parses and plans the statement once, not on every group.
      name: probeAll ? 'es.append_group/probe' : 'es.append_group',
      text: `SELECT ordinal, error_code, error_message, error_detail, next_expected_revision::text,
                    transaction_id, global_position::text
               FROM es.append_group($1::text[], $2::text[], $3::text, ${probeAll})`,
      values: [
        order.map((i) => appends[i].streamName),
        order.map((i) => expectedRevisionParameter(appends[i].expectedRevision)),
        // One JSON text, not an array of them: an array literal escapes every quote (ADR 0057).
        `[${order.map((i) => eventsJson(appends[i])).join(',')}]`,
      ],
    }));
  } catch (error) {
    if (appends.length === 1 && probeAll) return [failed(appends[0], error)];
    return Promise.all(appends.map(async (append) => (await appendGroup(pool, [append], true))[0]));
  }
  const byOrdinal = new Map(rows.map((row) => [row.ordinal, row]));
  const outcomes: Outcome<AppendResult>[] = new Array(appends.length);
  order.forEach((index, position) => {
    outcomes[index] = outcomeOf(appends[index], byOrdinal.get(position + 1));
  });
  return outcomes;
}
