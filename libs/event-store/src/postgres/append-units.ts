/**
 * A group of units, each an append over one or more streams that is written all or none
 * (`appendToStreams`, ADR 0061). A group of single appends is migration 9's statement
 * (batch-append.ts); a group with a unit of several parts is `es.append_units` (migration 10),
 * the same verdicts and writes with every part of a unit judged before any is written.
 */
import type { Pool } from 'pg';
import type { AppendResult, PreparedAppend } from '../core';
import { appendGroup, type BatchRow, eventsJson, failed, lockOrder, outcomeOf } from './batch-append';
import type { Outcome } from '@prov/gathering';
import { expectedRevisionParameter } from './rows';
import { UNIT_REFUSED } from './schema/unit-append';

/** A unit's outcome from its parts' rows: its results, or the first refusal in the order given. */
function unitOutcome(
  parts: readonly PreparedAppend[],
  rows: (BatchRow | undefined)[],
): Outcome<AppendResult[]> {
  const results: AppendResult[] = [];
  let refused: Outcome<AppendResult> | undefined;
  parts.forEach((part, index) => {
    const row = rows[index];
    if (row?.error_code === UNIT_REFUSED) return;
    const outcome = outcomeOf(part, row);
    if (outcome.ok) results.push(outcome.value);
    else refused ??= outcome;
  });
  if (refused && !refused.ok) return refused;
  if (results.length !== parts.length)
    return {
      ok: false,
      error: new Error('append over several streams: a part was neither written nor refused'),
    };
  return { ok: true, value: results };
}

/**
 * One statement for the group; one outcome per unit, in the order given. As in appendGroup, a
 * failure of the whole statement makes each unit run again alone, with every id looked up.
 */
export async function appendUnits(
  pool: Pool,
  units: readonly (readonly PreparedAppend[])[],
  probeAll = false,
): Promise<Outcome<AppendResult[]>[]> {
  if (units.every((unit) => unit.length === 1)) {
    const outcomes = await appendGroup(
      pool,
      units.map((unit) => unit[0]),
      probeAll,
    );
    return outcomes.map((outcome) => (outcome.ok ? { ok: true, value: [outcome.value] } : outcome));
  }
  // The parts in unit order (each unit's parts next to each other), locked in stream-name order.
  const parts = units.flat();
  const unitOf = units.flatMap((unit, index) => unit.map(() => index + 1));
  let rows: BatchRow[];
  try {
    ({ rows } = await pool.query<BatchRow>({
      name: probeAll ? 'es.append_units/probe' : 'es.append_units',
      text: `SELECT ordinal, error_code, error_message, error_detail, next_expected_revision::text,
                    transaction_id, global_position::text
               FROM es.append_units($1::text[], $2::text[], $3::text, ${probeAll}, $4::int[], $5::int[])`,
      values: [
        parts.map((part) => part.streamName),
        parts.map((part) => expectedRevisionParameter(part.expectedRevision)),
        `[${parts.map(eventsJson).join(',')}]`,
        unitOf,
        lockOrder(parts).map((index) => index + 1),
      ],
    }));
  } catch (error) {
    if (units.length === 1 && probeAll) return [failedUnit(units[0], error)];
    return Promise.all(units.map(async (unit) => (await appendUnits(pool, [unit], true))[0]));
  }
  const byOrdinal = new Map(rows.map((row) => [row.ordinal, row]));
  let first = 1;
  return units.map((unit) => {
    const unitRows = unit.map((_, index) => byOrdinal.get(first + index));
    first += unit.length;
    return unitOutcome(unit, unitRows);
  });
}

/** A unit whose statement failed alone: the failure as its first part's error (bad JSON, say). */
function failedUnit(unit: readonly PreparedAppend[], error: unknown): Outcome<AppendResult[]> {
  const outcome = failed(unit[0], error);
  return outcome.ok ? { ok: true, value: [outcome.value] } : outcome;
}
