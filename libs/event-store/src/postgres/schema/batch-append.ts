/**
 * The group-commit append (ADR 0015): many appends, each to its own stream with its own expected
 * revision and events, in one statement and one transaction. A verdict that would make
 * `es.append_to_stream` raise (wrong expected version, tombstone, duplicate ids) is returned as
 * that append's row instead, so one failing append does not roll back the others. Anything else
 * (a deadlock, bad JSON) fails the whole statement; the caller then retries each append alone.
 *
 * Streams are locked in the order of the arrays; callers sort them by name so that two batches
 * never wait for each other in a cycle.
 *
 * Its checks and inserts repeat those of `es.append_to_stream` (migrations.ts) on purpose: the
 * SQL of a shipped migration never changes, so the two cannot share a function body.
 */
/** Built from the lock and channel of migrations.ts (passed in, so the two modules do not import each other). */
export const batchAppendFunction = (lock: { classid: number; objid: number }, channel: string): string => `
CREATE FUNCTION es.append_batch(p_streams text[], p_expected text[], p_events text[])
RETURNS TABLE (ordinal int, error_code text, error_message text, error_detail text,
               next_expected_revision bigint, transaction_id text, global_position bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_i        int;
  v_name     text;
  v_expected text;
  v_events   jsonb;
  v_stream   es.streams%ROWTYPE;
  v_count    int;
  v_exists   boolean;
  v_known    int;
  v_offset   bigint;
  v_spread   bigint;
  v_position bigint;
  v_known_ids jsonb;
  v_written  boolean := false;
BEGIN
  IF coalesce(current_setting('es.appender', true), '') <> 'yes' THEN
    IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'ES400',
        MESSAGE = 'an append must be the first write of its transaction';
    END IF;
    PERFORM pg_advisory_xact_lock_shared(${lock.classid}, ${lock.objid});
    PERFORM set_config('es.appender', 'yes', true);
  END IF;

  FOR v_i IN 1 .. coalesce(array_length(p_streams, 1), 0) LOOP
    v_name := p_streams[v_i];
    v_expected := p_expected[v_i];
    v_events := p_events[v_i]::jsonb;
    v_count := jsonb_array_length(v_events);

    INSERT INTO es.streams (stream_name) VALUES (v_name) ON CONFLICT DO NOTHING;
    SELECT * INTO v_stream FROM es.streams s WHERE s.stream_name = v_name FOR UPDATE;

    IF v_stream.tombstoned THEN
      RETURN QUERY SELECT v_i, 'ES410', format('stream %s is tombstoned', v_name), NULL::text,
                          NULL::bigint, NULL::text, NULL::bigint;
      CONTINUE;
    END IF;

    SELECT count(*), min(e.stream_revision - (i.ord - 1)), max(e.stream_revision - (i.ord - 1))
      INTO v_known, v_offset, v_spread
      FROM jsonb_array_elements(v_events) WITH ORDINALITY AS i (value, ord)
      JOIN es.events e ON e.stream_name = v_name AND e.event_id = (i.value ->> 'id')::uuid;
    IF v_known > 0 THEN
      IF v_known < v_count OR v_offset <> v_spread
         OR (v_expected ~ '^[0-9]+$' AND v_offset <> v_expected::bigint + 1) THEN
        SELECT jsonb_agg(e.event_id::text) INTO v_known_ids
          FROM jsonb_array_elements(v_events) AS i (value)
          JOIN es.events e ON e.stream_name = v_name AND e.event_id = (i.value ->> 'id')::uuid;
        RETURN QUERY SELECT v_i, 'ES422',
          CASE WHEN v_known < v_count THEN 'partial' ELSE 'different-revisions' END, v_known_ids::text,
          NULL::bigint, NULL::text, NULL::bigint;
        CONTINUE;
      END IF;
      RETURN QUERY
        SELECT v_i, NULL::text, NULL::text, NULL::text, e.stream_revision, e.transaction_id::text, e.global_position
          FROM es.events e
         WHERE e.stream_name = v_name AND e.stream_revision = v_offset + v_count - 1;
      CONTINUE;
    END IF;

    v_exists := v_stream.revision >= v_stream.truncate_before;
    IF NOT (v_expected = 'any'
            OR (v_expected = 'no_stream' AND NOT v_exists)
            OR (v_expected = 'stream_exists' AND v_exists)
            OR (v_expected ~ '^[0-9]+$' AND v_expected::bigint = v_stream.revision)) THEN
      -- A stream row created only for this failed append would be left empty; remove it, as
      -- the rollback of a single append would.
      IF v_stream.revision = -1 AND NOT v_stream.tombstoned THEN
        DELETE FROM es.streams s WHERE s.stream_name = v_name AND s.revision = -1;
      END IF;
      RETURN QUERY SELECT v_i, 'ES409', 'wrong expected version',
        CASE WHEN v_exists THEN v_stream.revision::text ELSE 'no_stream' END,
        NULL::bigint, NULL::text, NULL::bigint;
      CONTINUE;
    END IF;

    WITH inserted AS (
      INSERT INTO es.events (stream_name, stream_revision, event_id, event_type, data, metadata)
      SELECT v_name, v_stream.revision + i.ord, (i.value ->> 'id')::uuid, i.value ->> 'type',
             i.value -> 'data', coalesce(i.value -> 'metadata', '{}')
        FROM jsonb_array_elements(v_events) WITH ORDINALITY AS i (value, ord)
       ORDER BY i.ord
      RETURNING es.events.global_position
    )
    SELECT max(inserted.global_position) INTO v_position FROM inserted;

    UPDATE es.streams SET revision = v_stream.revision + v_count, updated_at = now()
     WHERE stream_name = v_name;
    v_written := true;
    RETURN QUERY SELECT v_i, NULL::text, NULL::text, NULL::text,
                        v_stream.revision + v_count, pg_current_xact_id()::text, v_position;
  END LOOP;

  -- One wake-up per commit, delivered after it: the listener's contract is unchanged.
  IF v_written THEN
    PERFORM pg_notify('${channel}', '');
  END IF;
END
$fn$;
`;
