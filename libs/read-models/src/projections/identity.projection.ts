import type { PoolClient } from 'pg';
import {
  evolveIdentity,
  type IdentityEvent,
  initialIdentityState,
  type IdentityState,
  type RegisteredIdentity,
} from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { type CopyValue, copyRows } from '../copy-rows';
import { type ApplyOptions, type BulkLoader, type Projection, streamId } from './projection';
import { foldEvent, foldStreams, streamsToLookUp } from './stream-fold';

const PREFIX = 'identity-';

/**
 * The directory: one row per identity, folded with the domain's `evolveIdentity`. Like the
 * assignments, a batch is folded in memory on the rows it touches (one SELECT) and written with
 * one multi-row upsert, or, for the new rows of a bulk load, with COPY.
 */
export const identityProjection: Projection = {
  name: 'identities',
  streamPrefixes: [PREFIX],
  apply(client, schema, event) {
    return applyIdentities(client, schema, [event]);
  },
  applyMany: applyIdentities,
  startBulkLoad: startIdentityLoad,
};

type IdentityRow = RegisteredIdentity & { revision: string };

/** The state a stored row stands for (what the fold of its events gave). */
function storedState(row: IdentityRow): IdentityState {
  return {
    ...row,
    exists: true,
    department: row.department ?? undefined,
    registeredAt: new Date(row.registeredAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    deactivatedAt: row.deactivatedAt ? new Date(row.deactivatedAt).toISOString() : undefined,
    deactivationScheduledAt: row.deactivationScheduledAt
      ? new Date(row.deactivationScheduledAt).toISOString()
      : undefined,
  };
}

const SELECT_IDENTITY_ROWS = `SELECT identity_id AS "identityId", login, first_name AS "firstName",
  last_name AS "lastName", email, department, attributes, registered_at AS "registeredAt", updated_at AS "updatedAt",
  revision, active, deactivated_at AS "deactivatedAt", holdings, deactivation_scheduled_at AS "deactivationScheduledAt"`;

/**
 * A real log meets an identity again for every assignment it holds (ADR 0006), spread over the
 * whole log; a page-by-page load rewrote its row each time. The bulk load instead keeps every
 * identity's state in memory (rows already in the schema included, so the fold is exact) and
 * writes each row once at the end: COPY for new rows, the upsert for the others.
 */
async function startIdentityLoad(client: PoolClient, schema: string): Promise<BulkLoader> {
  const { rows } = await client.query<IdentityRow>(`${SELECT_IDENTITY_ROWS} FROM ${schema}.identities`);
  const states = new Map(
    rows.map((r) => [r.identityId, { state: storedState(r), revision: BigInt(r.revision) }]),
  );
  const existed = new Set(states.keys());
  const changed = new Set<string>();
  return {
    apply(events) {
      for (const event of events) {
        const id = streamId(event.streamName, PREFIX);
        if (foldEvent<IdentityState, IdentityEvent>(states, id, event, evolveIdentity, initialIdentityState))
          changed.add(id);
      }
    },
    async finish(client) {
      const records = function* (stored: boolean) {
        for (const id of changed) {
          if (existed.has(id) !== stored) continue;
          const { state, revision } = states.get(id)!;
          yield identityRecord(id, state, revision);
        }
      };
      await copyRows(
        client,
        `${schema}.identities`,
        IDENTITY_COLUMNS,
        mapRows(records(false), (r) => IDENTITY_COLUMNS.map((c) => r[c])),
      );
      await upsertIdentities(client, schema, [...records(true)]);
    },
  };
}

function* mapRows<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}

async function applyIdentities(
  client: PoolClient,
  schema: string,
  events: readonly RecordedEvent[],
  options: ApplyOptions = {},
): Promise<void> {
  const ids = streamsToLookUp(events, PREFIX, options.bulk === true);
  // A bulk load is the schema's only writer: locking the rows would only cost a write per row.
  const lock = options.bulk ? '' : 'FOR UPDATE';
  const { rows } =
    ids.length === 0
      ? { rows: [] as IdentityRow[] }
      : await client.query<IdentityRow>(
          `${SELECT_IDENTITY_ROWS} FROM ${schema}.identities WHERE identity_id = ANY($1::text[])
            ORDER BY identity_id ${lock}`,
          [ids],
        );
  const stored = new Map(
    rows.map((r) => [r.identityId, { state: storedState(r), revision: BigInt(r.revision) }]),
  );
  const folded = foldStreams<IdentityState, IdentityEvent>(
    stored,
    events,
    PREFIX,
    evolveIdentity,
    initialIdentityState,
  );
  const records = folded.rows.map((row) => identityRecord(row.id, row.state, row.event.revision));
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

/** One JSON document read by jsonb_to_recordset (see the assignments' upsert for why). */
async function upsertIdentities(
  client: PoolClient,
  schema: string,
  records: readonly Record<string, CopyValue>[],
): Promise<void> {
  if (records.length === 0) return;
  await client.query(
    `INSERT INTO ${schema}.identities (identity_id, login, first_name, last_name, email, department, attributes,
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
       deactivation_scheduled_at = EXCLUDED.deactivation_scheduled_at`,
    [JSON.stringify(records)],
  );
}
