import type { PoolClient } from 'pg';

/** The schema the API reads from. A rebuild (audit replay) fills a shadow schema and swaps it in. */
export const LIVE_SCHEMA = 'rm';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export function assertSchemaName(schema: string): string {
  if (!IDENTIFIER.test(schema))
    throw new Error(`read-model schema name '${schema}' must match ${IDENTIFIER}`);
  return schema;
}

/**
 * The read-model tables. Every row keeps the stream revision it was built from, and the
 * projector writes its checkpoint in the same transaction as the rows, so a restart neither
 * skips nor repeats an event.
 */
export function readModelDdl(schema: string): string {
  const s = assertSchemaName(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.checkpoints (
  projection text PRIMARY KEY,
  position text NOT NULL,
  events_handled bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${s}.identities (
  identity_id text PRIMARY KEY,
  login text NOT NULL,
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text NOT NULL,
  department text,
  attributes jsonb NOT NULL DEFAULT '{}',
  registered_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  revision bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS identities_login ON ${s}.identities (lower(login));
ALTER TABLE ${s}.identities ADD COLUMN IF NOT EXISTS active boolean NOT NULL DEFAULT true;
ALTER TABLE ${s}.identities ADD COLUMN IF NOT EXISTS deactivated_at timestamptz;
ALTER TABLE ${s}.identities ADD COLUMN IF NOT EXISTS holdings jsonb NOT NULL DEFAULT '{}';
ALTER TABLE ${s}.identities ADD COLUMN IF NOT EXISTS deactivation_scheduled_at timestamptz;
CREATE INDEX IF NOT EXISTS identities_deactivation ON ${s}.identities (deactivation_scheduled_at)
  WHERE deactivation_scheduled_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${s}.assignments (
  assignment_id text PRIMARY KEY,
  identity_id text NOT NULL,
  entitlement_id text NOT NULL,
  workflow_state text NOT NULL,
  starts_at timestamptz,
  ends_at timestamptz,
  requested_at timestamptz NOT NULL,
  current_order_id text,
  provisioning_state_code int NOT NULL,
  state jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  revision bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS assignments_identity ON ${s}.assignments (identity_id);
CREATE INDEX IF NOT EXISTS assignments_state ON ${s}.assignments (provisioning_state_code);
-- The list of all assignments, most recently requested first, in its order (no sort of every row).
CREATE INDEX IF NOT EXISTS assignments_requested ON ${s}.assignments (requested_at DESC, assignment_id);
-- Holders of an entitlement as of an instant start from its assignments.
CREATE INDEX IF NOT EXISTS assignments_entitlement ON ${s}.assignments (entitlement_id, assignment_id);
-- The timers' scans, every TIMER_INTERVAL_MS: assignments whose start has come and that have no
-- order yet, and those whose end has passed. Without these each tick read every assignment.
CREATE INDEX IF NOT EXISTS assignments_awaiting_start ON ${s}.assignments (assignment_id)
  WHERE workflow_state = 'Requested' AND current_order_id IS NULL AND starts_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS assignments_ending ON ${s}.assignments (ends_at, assignment_id)
  WHERE workflow_state = 'Requested' AND ends_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${s}.orders (
  order_id text PRIMARY KEY,
  assignment_id text NOT NULL,
  identity_id text NOT NULL,
  entitlement_id text NOT NULL,
  connection_id text,
  resource_type_id text,
  fulfillment text,
  change_type text,
  changes jsonb NOT NULL,
  provisioning_state_code int NOT NULL,
  attempt int NOT NULL,
  last_error text,
  is_open boolean NOT NULL,
  generated_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- Added after the first release: installations made before get the column here.
ALTER TABLE ${s}.orders ADD COLUMN IF NOT EXISTS postponed_until timestamptz;
-- The queues read a state's open orders in queue order (updated_at, order_id), with or without a
-- connection: both indexes end with that order, so a page is read without sorting the state's
-- orders. They replace the indexes of the state (and connection) alone.
DROP INDEX IF EXISTS ${s}.orders_queue;
CREATE INDEX IF NOT EXISTS orders_queue_page ON ${s}.orders (provisioning_state_code, updated_at, order_id) WHERE is_open;
DROP INDEX IF EXISTS ${s}.orders_connection;
CREATE INDEX IF NOT EXISTS orders_connection_page
  ON ${s}.orders (connection_id, provisioning_state_code, updated_at, order_id);
-- A connection's queue holds only its open orders: superseded ones are older, so in the index
-- above they stand in front of the page (at 1 M assignments with earlier changes, a page of 50
-- read 250,000 closed rows first). The full index stays for the reads of closed orders.
CREATE INDEX IF NOT EXISTS orders_connection_queue
  ON ${s}.orders (connection_id, provisioning_state_code, updated_at, order_id) WHERE is_open;
CREATE INDEX IF NOT EXISTS orders_assignment ON ${s}.orders (assignment_id);
CREATE INDEX IF NOT EXISTS orders_account_key ON ${s}.orders (connection_id, (changes->>'accountKey'));
CREATE TABLE IF NOT EXISTS ${s}.history (
  assignment_id text NOT NULL,
  revision bigint NOT NULL,
  event_id text NOT NULL,
  event_type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (assignment_id, revision)
);
-- A bulk load drops the history's key and builds it once its rows are in (bulk-load.ts).
${historyKeyDdl(s)}
CREATE TABLE IF NOT EXISTS ${s}.jobs (
  job_id text PRIMARY KEY,
  kind text NOT NULL,
  status text NOT NULL,
  tasks jsonb NOT NULL DEFAULT '[]',
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  error text,
  trigger text NOT NULL,
  started_by text,
  revision bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.synchronizations (
  connection_id text PRIMARY KEY,
  last_synchronized_at timestamptz NOT NULL,
  accounts int NOT NULL,
  memberships int NOT NULL,
  verified int NOT NULL,
  non_conforming int NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.non_conforming (
  connection_id text NOT NULL,
  account_key text NOT NULL,
  group_name text NOT NULL DEFAULT '',
  kind text NOT NULL,
  found_at timestamptz NOT NULL,
  synchronization_id text NOT NULL
);
-- Drift both ways: a resource is also identified by the attribute that differs. Tables made
-- before that had (connection, account, group) as primary key; it gives way to the wider key.
ALTER TABLE ${s}.non_conforming ADD COLUMN IF NOT EXISTS attribute_name text NOT NULL DEFAULT '';
ALTER TABLE ${s}.non_conforming ADD COLUMN IF NOT EXISTS drift text NOT NULL DEFAULT 'unexpected';
ALTER TABLE ${s}.non_conforming ADD COLUMN IF NOT EXISTS assignment_ids jsonb NOT NULL DEFAULT '[]';
ALTER TABLE ${s}.non_conforming DROP CONSTRAINT IF EXISTS non_conforming_pkey;
CREATE UNIQUE INDEX IF NOT EXISTS non_conforming_resource
  ON ${s}.non_conforming (connection_id, account_key, group_name, attribute_name);
`;
}

/**
 * The history's key, if it has none: a bulk load drops it, and builds it once the rows are in
 * (with the copy of the history from the store, ADR 0079, or with the other indexes at the end).
 */
export function historyKeyDdl(schema: string): string {
  const s = assertSchemaName(schema);
  return `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '${s}.history'::regclass AND contype = 'p') THEN
    ALTER TABLE ${s}.history ADD PRIMARY KEY (assignment_id, revision);
  END IF;
END $$;`;
}

/** Creates the tables if missing; concurrent callers (several services starting) wait for each other. */
export async function ensureReadModelSchema(client: PoolClient, schema = LIVE_SCHEMA): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`read-models:${schema}`]);
    await client.query(readModelDdl(schema));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
