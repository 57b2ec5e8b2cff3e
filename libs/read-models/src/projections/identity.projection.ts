import type { PoolClient } from 'pg';
import {
  evolveIdentity,
  type IdentityEvent,
  initialIdentityState,
  type IdentityState,
  type RegisteredIdentity,
} from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { batchProjection, readTouchedRows, writeFoldedRows, writeJsonRows } from './batch-projection';
import type { ProjectionTable, Row } from './batch-projection';
import { type ApplyOptions, type Projection } from './projection';
import { foldStreams, type FoldedRow } from './stream-fold';

const PREFIX = 'identity-';

/**
 * The directory: one row per identity, folded with the domain's `evolveIdentity`. Like the
 * assignments, a batch is folded in memory on the rows it touches (one SELECT) and written with
 * one multi-row upsert, or, for the new rows of a bulk load, with COPY.
 */
export const identityProjection: Projection = batchProjection('identities', PREFIX, applyIdentities);

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

async function applyIdentities(
  client: PoolClient,
  schema: string,
  events: readonly RecordedEvent[],
  options: ApplyOptions = {},
): Promise<void> {
  const rows = await readTouchedRows<IdentityRow>(
    client,
    events,
    PREFIX,
    options,
    (lock) =>
      `SELECT identity_id AS "identityId", login, first_name AS "firstName", last_name AS "lastName", email,
                  department, attributes, registered_at AS "registeredAt", updated_at AS "updatedAt", revision,
                  active, deactivated_at AS "deactivatedAt", holdings,
                  deactivation_scheduled_at AS "deactivationScheduledAt"
             FROM ${schema}.identities WHERE identity_id = ANY($1::text[]) ORDER BY identity_id ${lock}`,
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
  await writeFoldedRows(client, schema, IDENTITIES, folded.rows.map(identityRecord), folded.rows, options);
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

function identityRecord({ id, state, event }: FoldedRow<IdentityState>): Row {
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
    revision: event.revision.toString(),
    active: next.active,
    deactivated_at: next.deactivatedAt ?? null,
    holdings: next.holdings,
    deactivation_scheduled_at: next.deactivationScheduledAt ?? null,
  };
}

function upsertIdentities(client: PoolClient, schema: string, records: readonly Row[]): Promise<void> {
  return writeJsonRows(
    client,
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
    records,
  );
}

const IDENTITIES: ProjectionTable = {
  name: 'identities',
  columns: IDENTITY_COLUMNS,
  upsert: upsertIdentities,
};
