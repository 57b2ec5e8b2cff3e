import type { PoolClient } from 'pg';
import {
  evolveIdentity,
  type IdentityEvent,
  copyWith,
  initialIdentityState,
  type IdentityState,
  type RegisteredIdentity,
} from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { type CopyValue, copyRows } from '../copy-rows';
import {
  type ApplyOptions,
  batchProjection,
  type BulkLoader,
  type LivePlan,
  streamId,
  writeRows,
} from './projection';
import { keepAfterWrite, keptStates, type StateCache } from './state-cache';
import { foldEvent, foldStreams, readTouchedRows, revisionsRead, type StoredState } from './stream-fold';

const PREFIX = 'identity-';

/**
 * The directory: one row per identity, folded with the domain's `evolveIdentity`. Like the
 * assignments, a batch is folded in memory on the rows it touches (one SELECT) and written with
 * one multi-row upsert, or, for the new rows of a bulk load, with COPY.
 */
export const identityProjection = batchProjection('identities', PREFIX, applyIdentities, {
  startBulkLoad: startIdentityLoad,
  planMany: planIdentities,
  byStream: {},
});

type IdentityRow = RegisteredIdentity & { revision: string };

/** The state a stored row stands for (what the fold of its events gave). */
function storedState(row: IdentityRow): IdentityState {
  return copyWith(row, {
    exists: true,
    department: row.department ?? undefined,
    registeredAt: new Date(row.registeredAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    deactivatedAt: row.deactivatedAt ? new Date(row.deactivatedAt).toISOString() : undefined,
    deactivationScheduledAt: row.deactivationScheduledAt
      ? new Date(row.deactivationScheduledAt).toISOString()
      : undefined,
  });
}

const SELECT_IDENTITY_ROWS = `SELECT identity_id AS "identityId", login, first_name AS "firstName",
  last_name AS "lastName", email, department, attributes, registered_at AS "registeredAt", updated_at AS "updatedAt",
  revision, active, deactivated_at AS "deactivatedAt", holdings, deactivation_scheduled_at AS "deactivationScheduledAt"`;

/**
 * Identities a bulk load holds in memory at most: about 3.5 KB each with ten holdings (measured
 * with V8), so some 70 MB. Beyond that it writes them and lets go of them.
 */
const HELD_IDENTITIES = 20_000;
/** Rows per upsert statement when the load writes identities that have a row already. */
const UPSERT_CHUNK = 2_000;

/**
 * A real log meets an identity again for every assignment it holds (ADR 0006), spread over the
 * whole log; a page-by-page load rewrote its row each time. The bulk load instead holds the
 * identities' states in memory across pages and writes each row when it lets go of it: at the
 * end of the load, or when it holds more than HELD_IDENTITIES (then an identity met again is
 * read back from its row). It knows which identities have a row (those the schema had when the
 * load began, and those it wrote), so its fold is exact: COPY for new rows, the upsert for others.
 */
async function startIdentityLoad(
  client: PoolClient,
  schema: string,
  heldAtMost = HELD_IDENTITIES,
): Promise<BulkLoader> {
  const { rows } = await client.query<{ id: string }>(`SELECT identity_id AS id FROM ${schema}.identities`);
  const withRow = new Set(rows.map((r) => r.id));
  const held = new Map<string, StoredState<IdentityState>>();
  const changed = new Set<string>();
  return {
    async apply(page, events) {
      const missing = [...new Set(events.map((e) => streamId(e.streamName, PREFIX)))].filter(
        (id) => withRow.has(id) && !held.has(id),
      );
      if (missing.length > 0) {
        const stored = await page.query<IdentityRow>(
          `${SELECT_IDENTITY_ROWS} FROM ${schema}.identities WHERE identity_id = ANY($1::text[])`,
          [missing],
        );
        for (const r of stored.rows)
          held.set(r.identityId, { state: storedState(r), revision: BigInt(r.revision) });
      }
      for (const event of events) {
        const id = streamId(event.streamName, PREFIX);
        if (foldEvent<IdentityState, IdentityEvent>(held, id, event, evolveIdentity, initialIdentityState))
          changed.add(id);
      }
    },
    full: () => held.size > heldAtMost,
    async flush(write) {
      const records = (existing: boolean) =>
        [...changed]
          .filter((id) => withRow.has(id) === existing)
          .map((id) => identityRecord(id, held.get(id)!.state, held.get(id)!.revision));
      await copyRows(
        write,
        `${schema}.identities`,
        IDENTITY_COLUMNS,
        records(false).map((r) => IDENTITY_COLUMNS.map((c) => r[c])),
      );
      const updates = records(true);
      for (let i = 0; i < updates.length; i += UPSERT_CHUNK)
        await upsertIdentities(write, schema, updates.slice(i, i + UPSERT_CHUNK));
      for (const id of changed) withRow.add(id);
      changed.clear();
      held.clear();
    },
  };
}

/**
 * Reads the rows the batch touches (`lock`: FOR UPDATE), but those of streams whose state `cache`
 * keeps, and folds the batch onto them.
 */
async function foldBatch(
  client: PoolClient,
  schema: string,
  events: readonly RecordedEvent[],
  bulk: boolean,
  lock = !bulk,
  cache?: StateCache<IdentityState>,
) {
  const { kept, toRead } = keptStates(events, PREFIX, cache);
  const rows = await readTouchedRows<IdentityRow>(
    client,
    toRead,
    PREFIX,
    bulk,
    (clause) => `${SELECT_IDENTITY_ROWS} FROM ${schema}.identities WHERE identity_id = ANY($1::text[])
      ORDER BY identity_id ${clause}`,
    lock,
  );
  const stored = new Map(kept);
  for (const r of rows) stored.set(r.identityId, { state: storedState(r), revision: BigInt(r.revision) });
  const folded = foldStreams<IdentityState, IdentityEvent>(
    stored,
    events,
    PREFIX,
    evolveIdentity,
    initialIdentityState,
  );
  const records = folded.rows.map((row) => identityRecord(row.id, row.state, row.event.revision));
  return { stored, folded, records };
}

/** The live projector's plan: the exact path's upsert, for its single statement (ADR 0043). */
async function planIdentities(
  client: PoolClient,
  schema: string,
  events: readonly RecordedEvent[],
  cache?: StateCache,
): Promise<LivePlan> {
  const kept = cache as StateCache<IdentityState> | undefined;
  // Streams that begin in the batch (revision 0) are taken to have no row, as in a bulk load:
  // the statement checks it under lock (expected revision null) and otherwise writes nothing.
  const { stored, folded, records } = await foldBatch(client, schema, events, true, false, kept);
  const written = folded.rows.map(({ id, state, event }) => ({ id, state, revision: event.revision }));
  return {
    writes: records.length > 0 ? [{ sql: upsertIdentitiesSql(schema), rows: records }] : [],
    read: {
      table: `${schema}.identities`,
      key: 'identity_id',
      revisions: revisionsRead(events, PREFIX, stored),
    },
    keep: keepAfterWrite(kept, stored, written),
  };
}

async function applyIdentities(
  client: PoolClient,
  schema: string,
  events: readonly RecordedEvent[],
  options: ApplyOptions = {},
): Promise<void> {
  const { folded, records } = await foldBatch(client, schema, events, options.bulk === true);
  if (options.bulk) {
    const fresh = records.filter((_, i) => !folded.rows[i].existed);
    await copyRows(
      client,
      `${schema}.identities`,
      IDENTITY_COLUMNS,
      fresh.map((r) => IDENTITY_COLUMNS.map((c) => r[c])),
    );
    await upsertIdentities(
      client,
      schema,
      records.filter((_, i) => folded.rows[i].existed),
    );
    return;
  }
  await upsertIdentities(client, schema, records);
}

const IDENTITY_COLUMNS = [
  'identity_id',
  'login',
  'first_name',
  'last_name',
  'email',
  'department',
  'attributes',
  'registered_at',
  'updated_at',
  'revision',
  'active',
  'deactivated_at',
  'holdings',
  'deactivation_scheduled_at',
] as const;

function identityRecord(id: string, state: IdentityState, revision: bigint): Record<string, CopyValue> {
  const next = state as RegisteredIdentity;
  return {
    identity_id: id,
    login: next.login,
    first_name: next.firstName,
    last_name: next.lastName,
    email: next.email,
    department: next.department ?? null,
    attributes: next.attributes,
    registered_at: next.registeredAt,
    updated_at: next.updatedAt,
    revision: revision.toString(),
    active: next.active,
    deactivated_at: next.deactivatedAt ?? null,
    holdings: next.holdings,
    deactivation_scheduled_at: next.deactivationScheduledAt ?? null,
  };
}

/** Rows travel as one JSON document (see writeRows). */
function upsertIdentities(client: PoolClient, schema: string, records: readonly Record<string, CopyValue>[]) {
  return writeRows(client, { sql: upsertIdentitiesSql(schema), rows: records });
}

function upsertIdentitiesSql(schema: string): string {
  return `INSERT INTO ${schema}.identities (identity_id, login, first_name, last_name, email, department, attributes,
       registered_at, updated_at, revision, active, deactivated_at, holdings, deactivation_scheduled_at)
     SELECT identity_id, login, first_name, last_name, email, department, attributes, registered_at, updated_at,
            revision, active, deactivated_at, holdings, deactivation_scheduled_at
       FROM jsonb_to_recordset($1::jsonb) AS x (identity_id text, login text, first_name text, last_name text,
            email text, department text, attributes jsonb, registered_at timestamptz, updated_at timestamptz,
            revision bigint, active boolean, deactivated_at timestamptz, holdings jsonb,
            deactivation_scheduled_at timestamptz)
     ON CONFLICT (identity_id) DO UPDATE SET login = EXCLUDED.login, first_name = EXCLUDED.first_name,
       last_name = EXCLUDED.last_name, email = EXCLUDED.email, department = EXCLUDED.department,
       attributes = EXCLUDED.attributes, updated_at = EXCLUDED.updated_at, revision = EXCLUDED.revision,
       active = EXCLUDED.active, deactivated_at = EXCLUDED.deactivated_at, holdings = EXCLUDED.holdings,
       deactivation_scheduled_at = EXCLUDED.deactivation_scheduled_at`;
}
