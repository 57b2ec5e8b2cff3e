/**
 * Numbered migrations of the `es` schema. Never edit one that has shipped: add the next number.
 * Each runs in its own transaction together with its row in `es.schema_migrations`.
 */
import { batchAppendFunction } from './batch-append';
import { hashChainMigration, linearChainMigration } from './hash-chain';
import { leanAppendFunction } from './lean-append';
import { fastAppendFunction } from './fast-append';
import { groupAppendFunction } from './group-append';
import { unitAppendFunction } from './unit-append';
import { unitAppendOnceFunction } from './unit-append-once';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Channel of the wake-up after appends; payload-free so that one transaction sends one. Sent by
 * `es.append_to_stream` at its commit and, from migration 7, by the store after a group commits.
 */
export const NOTIFY_CHANNEL = 'es_events';

/** SQLSTATEs raised by the functions below (class "ES" is unused by PostgreSQL itself). */
export const SQLSTATE = {
  wrongExpectedVersion: 'ES409',
  streamDeleted: 'ES410',
  duplicateEventIds: 'ES422',
  appendNotFirst: 'ES400',
} as const;

const tables = `
CREATE TABLE es.streams (
  stream_name     text PRIMARY KEY,
  -- Revision of the last event ever appended (-1 before the first); kept across a soft delete
  -- because EventStoreDB continues the numbering when a soft-deleted stream is written again.
  revision        bigint NOT NULL DEFAULT -1,
  -- Soft delete hides revisions below this value.
  truncate_before bigint NOT NULL DEFAULT 0,
  tombstoned      boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE es.events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The appending transaction: the global log is ordered by (transaction_id, global_position)
  -- and only shown below the oldest running transaction, so a late commit cannot be overtaken.
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_name     text NOT NULL REFERENCES es.streams (stream_name),
  stream_revision bigint NOT NULL,
  event_id        uuid NOT NULL,
  event_type      text NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_stream_revision_key UNIQUE (stream_name, stream_revision),
  CONSTRAINT events_stream_event_id_key UNIQUE (stream_name, event_id)
);
CREATE INDEX events_log_order_idx ON es.events (transaction_id, global_position);

CREATE TABLE es.checkpoints (
  subscription_id text PRIMARY KEY,
  -- Opaque, fixed-width position text; "C" collation makes text order equal position order.
  position        text COLLATE "C" NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
`;

const appendFunction = `
CREATE FUNCTION es.append_to_stream(p_stream_name text, p_expected text, p_events jsonb)
RETURNS TABLE (next_expected_revision bigint, transaction_id text, global_position bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_stream   es.streams%ROWTYPE;
  v_count    int := jsonb_array_length(p_events);
  v_exists   boolean;
  v_known    int;
  v_offset   bigint;
  v_spread   bigint;
  v_position bigint;
  v_known_ids jsonb;
BEGIN
  -- The stream row is the per-stream lock: writers of one stream queue here, writers of other
  -- streams do not wait. Creating it first makes racing creators of a new stream queue too.
  INSERT INTO es.streams (stream_name) VALUES (p_stream_name) ON CONFLICT DO NOTHING;
  SELECT * INTO v_stream FROM es.streams s WHERE s.stream_name = p_stream_name FOR UPDATE;

  IF v_stream.tombstoned THEN
    RAISE EXCEPTION USING ERRCODE = 'ES410', MESSAGE = format('stream %s is tombstoned', p_stream_name);
  END IF;

  -- A retry carries ids that are already stored. It is only a retry if all of them are stored,
  -- in the same order and one after another (offset = stored revision - index is constant).
  SELECT count(*), min(e.stream_revision - (i.ord - 1)), max(e.stream_revision - (i.ord - 1))
    INTO v_known, v_offset, v_spread
    FROM jsonb_array_elements(p_events) WITH ORDINALITY AS i (value, ord)
    JOIN es.events e ON e.stream_name = p_stream_name AND e.event_id = (i.value ->> 'id')::uuid;
  IF v_known > 0 THEN
    IF v_known < v_count OR v_offset <> v_spread
       OR (p_expected ~ '^[0-9]+$' AND v_offset <> p_expected::bigint + 1) THEN
      SELECT jsonb_agg(e.event_id::text) INTO v_known_ids
        FROM jsonb_array_elements(p_events) AS i (value)
        JOIN es.events e ON e.stream_name = p_stream_name AND e.event_id = (i.value ->> 'id')::uuid;
      RAISE EXCEPTION USING ERRCODE = 'ES422',
        MESSAGE = CASE WHEN v_known < v_count THEN 'partial' ELSE 'different-revisions' END,
        DETAIL = v_known_ids::text;
    END IF;
    RETURN QUERY
      SELECT e.stream_revision, e.transaction_id::text, e.global_position FROM es.events e
       WHERE e.stream_name = p_stream_name AND e.stream_revision = v_offset + v_count - 1;
    RETURN;
  END IF;

  v_exists := v_stream.revision >= v_stream.truncate_before;
  IF NOT (p_expected = 'any'
          OR (p_expected = 'no_stream' AND NOT v_exists)
          OR (p_expected = 'stream_exists' AND v_exists)
          -- An exact revision may also recreate a soft-deleted stream, as in EventStoreDB.
          OR (p_expected ~ '^[0-9]+$' AND p_expected::bigint = v_stream.revision)) THEN
    RAISE EXCEPTION USING ERRCODE = 'ES409', MESSAGE = 'wrong expected version',
      DETAIL = CASE WHEN v_exists THEN v_stream.revision::text ELSE 'no_stream' END;
  END IF;

  WITH inserted AS (
    INSERT INTO es.events (stream_name, stream_revision, event_id, event_type, data, metadata)
    SELECT p_stream_name, v_stream.revision + i.ord, (i.value ->> 'id')::uuid, i.value ->> 'type',
           i.value -> 'data', coalesce(i.value -> 'metadata', '{}')
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS i (value, ord)
     ORDER BY i.ord
    RETURNING es.events.global_position
  )
  SELECT max(inserted.global_position) INTO v_position FROM inserted;

  UPDATE es.streams SET revision = v_stream.revision + v_count, updated_at = now()
   WHERE stream_name = p_stream_name;
  -- Delivered at commit, so listeners never wake up for a transaction that rolled back.
  PERFORM pg_notify('${NOTIFY_CHANNEL}', '');
  RETURN QUERY SELECT v_stream.revision + v_count, pg_current_xact_id()::text, v_position;
END
$fn$;
`;

const deleteFunction = `
CREATE FUNCTION es.delete_stream(p_stream_name text, p_expected text, p_tombstone boolean)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  v_stream es.streams%ROWTYPE;
  v_found  boolean;
  v_exists boolean;
BEGIN
  IF p_tombstone THEN
    -- A tombstone also applies to a stream that never existed: its name stays unusable.
    INSERT INTO es.streams (stream_name) VALUES (p_stream_name) ON CONFLICT DO NOTHING;
  END IF;
  SELECT * INTO v_stream FROM es.streams s WHERE s.stream_name = p_stream_name FOR UPDATE;
  v_found := FOUND;
  IF v_stream.tombstoned THEN
    RAISE EXCEPTION USING ERRCODE = 'ES410', MESSAGE = format('stream %s is tombstoned', p_stream_name);
  END IF;
  v_exists := v_found AND v_stream.revision >= v_stream.truncate_before;
  IF p_expected <> 'any' AND (NOT v_found OR p_expected::bigint <> v_stream.revision) THEN
    RAISE EXCEPTION USING ERRCODE = 'ES409', MESSAGE = 'wrong expected version',
      DETAIL = CASE WHEN v_exists THEN v_stream.revision::text ELSE 'no_stream' END;
  END IF;
  IF p_tombstone THEN
    UPDATE es.streams SET tombstoned = true, updated_at = now() WHERE stream_name = p_stream_name;
  ELSIF v_exists THEN
    UPDATE es.streams SET truncate_before = revision + 1, updated_at = now() WHERE stream_name = p_stream_name;
  END IF;
END
$fn$;
`;

/**
 * Advisory-lock key (classid, objid) every appending transaction holds in shared mode, taken
 * before the transaction writes anything (so before it has a transaction id). Readers find
 * the oldest running appender through pg_locks instead of the oldest running transaction of
 * the whole cluster: an unrelated long transaction (a report, a connector's lock, a pg_dump)
 * no longer holds the log back.
 */
export const APPENDER_LOCK = { classid: 7_365_011, objid: 1 } as const;

const appenderGate = `
  IF coalesce(current_setting('es.appender', true), '') <> 'yes' THEN
    -- A transaction id assigned before the lock could be below a reader's gate while the
    -- transaction still runs: the log would skip its events. So an append comes first.
    IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'ES400',
        MESSAGE = 'an append must be the first write of its transaction';
    END IF;
    PERFORM pg_advisory_xact_lock_shared(${APPENDER_LOCK.classid}, ${APPENDER_LOCK.objid});
    PERFORM set_config('es.appender', 'yes', true);
  END IF;
`;

const gatedAppendFunction = appendFunction
  .replace('CREATE FUNCTION es.append_to_stream', 'CREATE OR REPLACE FUNCTION es.append_to_stream')
  .replace(
    'BEGIN\n  -- The stream row is the per-stream lock',
    `BEGIN\n${appenderGate}\n  -- The stream row is the per-stream lock`,
  );

const fastAppend = fastAppendFunction(leanAppendFunction(batchAppendFunction(APPENDER_LOCK, NOTIFY_CHANNEL)));
const groupAppend = groupAppendFunction(fastAppend);
const unitAppend = unitAppendFunction(groupAppend);

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'streams, events, checkpoints', sql: tables },
  { version: 2, name: 'append and delete functions', sql: appendFunction + deleteFunction },
  {
    version: 3,
    name: 'appenders hold a shared advisory lock (log gate per appender)',
    sql: gatedAppendFunction,
  },
  {
    version: 4,
    name: 'group commit: many appends in one statement',
    sql: batchAppendFunction(APPENDER_LOCK, NOTIFY_CHANNEL),
  },
  {
    version: 5,
    name: 'hash chain per stream (tamper evidence), existing events chained',
    sql: hashChainMigration(gatedAppendFunction, batchAppendFunction(APPENDER_LOCK, NOTIFY_CHANNEL)),
  },
  {
    version: 6,
    name: 'appends of many events chained in linear time',
    sql: linearChainMigration(gatedAppendFunction, batchAppendFunction(APPENDER_LOCK, NOTIFY_CHANNEL)),
  },
  {
    version: 7,
    name: 'group appends without NOTIFY (the store wakes listeners after commit), less work per append',
    sql: leanAppendFunction(batchAppendFunction(APPENDER_LOCK, NOTIFY_CHANNEL)),
  },
  {
    version: 8,
    name: 'appends without the per-event foreign-key check, hash chain carried by a loop',
    sql: fastAppend,
  },
  {
    version: 9,
    name: 'group appends with their events in one text parameter (no array literal to unescape)',
    sql: groupAppend,
  },
  {
    version: 10,
    name: 'appends over several streams, all or none, in a group (es.append_units)',
    sql: unitAppend,
  },
  {
    version: 11,
    name: 'appends over several streams read each stream row once',
    sql: unitAppendOnceFunction(unitAppend),
  },
  {
    version: 12,
    // A stream's row changes with every append, in no indexed column (ADR 0086).
    name: 'stream rows leave room on their page for their next revision',
    sql: 'ALTER TABLE es.streams SET (fillfactor = 70);',
  },
];
