import type { PoolClient } from 'pg';
import type { LivePlan } from './projections/projection';

/**
 * Thrown by the live projector when the lock it must find free before writing (an audit replay's,
 * held by another copy) is taken: the batch was not written and the projector stops (ADR 0030).
 */
export class StandDownForReplay extends Error {
  override readonly name = 'StandDownForReplay';
  constructor() {
    super('another copy runs an audit replay');
  }
}

/** One batch of the live projector, written by {@link writeLive}. */
export interface LiveWrite {
  schema: string;
  plans: readonly LivePlan[];
  checkpoint: { name: string; position: string; events: number };
  /** An advisory lock the statement probes shared and must find free (undefined: none). */
  standDownLock?: string;
  /** A notification sent with the commit when the statement writes. */
  notify?: { channel: string; payload: string };
}

export interface LiveWriteResult {
  /** The lock was free (or none was asked for). */
  lockFree: boolean;
  /** Every row the plans folded onto still had the revision they read. */
  fresh: boolean;
}

/**
 * Statements by their shape (the schema, which plans read, the writes' SQL), with a name: each
 * connection parses and plans a statement once, and its text is built once (ADR 0043).
 */
const statements = new Map<string, { text: string; name: string }>();

/**
 * Writes a live batch, every projection's rows, the checkpoint and the notification, as ONE
 * statement, so a batch costs one round trip and one implicit transaction instead of a BEGIN,
 * a lock probe, a locked read and a write per table, the checkpoint, the notification and the
 * COMMIT. The plans were folded on rows read without a lock; the statement locks those rows
 * (FOR UPDATE) and, unless every one still has the revision the fold read and the lock is free,
 * writes nothing: each write reads its rows from an empty document instead. The caller then
 * stands down or applies the batch again by the exact path. Data-modifying CTEs run once and to
 * completion, and `go` (an InitPlan of each write) is evaluated before any of them writes a row.
 */
export async function writeLive(client: PoolClient, batch: LiveWrite): Promise<LiveWriteResult> {
  const { rows } = await client.query<LiveWriteResult>(liveWriteStatement(batch));
  return { lockFree: rows[0].lockFree, fresh: rows[0].fresh };
}

/** {@link writeLive}'s statement for `batch`: its name, its text and its parameters. */
export function liveWriteStatement(batch: LiveWrite): { name: string; text: string; values: unknown[] } {
  const values: unknown[] = [batch.standDownLock ?? null];
  for (const plan of batch.plans)
    if (Object.keys(plan.read.revisions).length > 0) values.push(JSON.stringify(plan.read.revisions));
  for (const plan of batch.plans) for (const write of plan.writes) values.push(JSON.stringify(write.rows));
  const { name, position, events } = batch.checkpoint;
  values.push(name, position, events);
  if (batch.notify) values.push(batch.notify.channel, batch.notify.payload);
  const shape = [
    batch.schema,
    ...batch.plans.map((plan) => `${Object.keys(plan.read.revisions).length > 0}:${plan.read.table}`),
    ...batch.plans.flatMap((plan) => plan.writes.map((write) => write.sql)),
    String(batch.notify !== undefined),
  ].join('\u0000');
  let statement = statements.get(shape);
  if (!statement) {
    statement = { text: statementText(batch), name: `rm_live_${statements.size + 1}` };
    statements.set(shape, statement);
  }
  return { name: statement.name, text: statement.text, values };
}

/** The text of {@link writeLive}'s statement; its parameters in the order liveWriteStatement pushes them. */
function statementText(batch: LiveWrite): string {
  const { schema } = batch;
  let count = 1;
  const parameter = () => `$${++count}`;
  const ctes = [
    `probe AS (SELECT CASE WHEN $1::text IS NULL THEN true ELSE pg_try_advisory_xact_lock_shared(hashtext($1::text)) END AS free)`,
  ];
  const checks: string[] = [];
  batch.plans.forEach((plan, i) => {
    const { table, key, revisions } = plan.read;
    if (Object.keys(revisions).length === 0) return;
    const expected = parameter();
    // The keys as an array, not a semi-join with the set they come from: the planner took that set
    // for 100 rows and, on a table of some thousands of rows, hashed every row of the table
    // instead of probing the key's index for each of the batch's (ADR 0082).
    ctes.push(
      `read${i} AS (SELECT ${key} AS id, revision FROM ${table}
         WHERE ${key} = ANY (ARRAY(SELECT jsonb_object_keys(${expected}::jsonb))) FOR UPDATE)`,
    );
    checks.push(
      `NOT EXISTS (SELECT 1 FROM jsonb_each_text(${expected}::jsonb) e LEFT JOIN read${i} r ON r.id = e.key
         WHERE r.revision::text IS DISTINCT FROM e.value)`,
    );
  });
  ctes.push(`fresh AS (SELECT ${checks.length > 0 ? checks.join(' AND ') : 'true'} AS ok)`);
  ctes.push(`go AS (SELECT (SELECT free FROM probe) AND (SELECT ok FROM fresh) AS ok)`);
  let w = 0;
  for (const plan of batch.plans)
    for (const write of plan.writes) {
      const rows = `jsonb_to_recordset(CASE WHEN (SELECT ok FROM go) THEN ${parameter()}::jsonb ELSE '[]'::jsonb END)`;
      if (write.sql.split('jsonb_to_recordset($1::jsonb)').length !== 2)
        throw new Error('a live write reads its rows from jsonb_to_recordset($1::jsonb), once');
      ctes.push(`w${w++} AS (${write.sql.replace('jsonb_to_recordset($1::jsonb)', rows)})`);
    }
  ctes.push(
    `cp AS (INSERT INTO ${schema}.checkpoints (projection, position, events_handled, updated_at)
       SELECT ${parameter()}::text, ${parameter()}::text, ${parameter()}::bigint, now()
        WHERE (SELECT ok FROM go)
       ON CONFLICT (projection) DO UPDATE SET position = EXCLUDED.position,
         events_handled = ${schema}.checkpoints.events_handled + EXCLUDED.events_handled, updated_at = now()
       WHERE ${schema}.checkpoints.position COLLATE "C" < EXCLUDED.position COLLATE "C")`,
  );
  const notify = batch.notify
    ? `CASE WHEN go.ok THEN pg_notify(${parameter()}::text, ${parameter()}::text) END`
    : 'NULL';
  return `WITH ${ctes.join(',\n')}
    SELECT (SELECT free FROM probe) AS "lockFree", (SELECT ok FROM fresh) AS fresh, ${notify} AS notified FROM go`;
}
