import type { Pool } from 'pg';
import type { Assignment, RegisteredIdentity } from '@prov/domain';
import { assertSchemaName, LIVE_SCHEMA } from '../schema';
import { SCAN_PAGE_SIZE } from './paging';
import { identityProfile } from './views';

/** An identity with its live assignments (requested, neither revoked nor declined), as folded by the projections. */
export interface IdentityWithAssignments {
  identity: RegisteredIdentity;
  assignments: Assignment[];
}

const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : undefined);

function toRegisteredIdentity(row: Record<string, unknown>): RegisteredIdentity {
  const { id, attributes, ...profile } = identityProfile(row);
  return {
    exists: true,
    identityId: id,
    ...profile,
    attributes: attributes as RegisteredIdentity['attributes'],
    registeredAt: iso(row.registered_at)!,
    updatedAt: iso(row.updated_at)!,
    ...(row.deactivated_at ? { deactivatedAt: iso(row.deactivated_at) } : {}),
    holdings: (row.holdings ?? {}) as RegisteredIdentity['holdings'],
  };
}

/**
 * Every identity with its live assignments, a page of identities at a time (two queries per
 * page, keyset on the identity id), so that memory stays bounded however large the directory.
 */
export async function* identitiesWithAssignments(
  pool: Pool,
  schema = LIVE_SCHEMA,
  pageSize = SCAN_PAGE_SIZE,
): AsyncGenerator<IdentityWithAssignments[]> {
  const s = assertSchemaName(schema);
  let after = '';
  for (;;) {
    const { rows } = await pool.query(
      `SELECT * FROM ${s}.identities WHERE identity_id > $1 ORDER BY identity_id LIMIT $2`,
      [after, pageSize],
    );
    if (rows.length === 0) return;
    after = rows[rows.length - 1].identity_id;
    const ids = rows.map((row) => row.identity_id as string);
    const assignments = await pool.query<{ identity_id: string; state: Assignment }>(
      `SELECT identity_id, state FROM ${s}.assignments
        WHERE identity_id = ANY($1::text[]) AND workflow_state = 'Requested' ORDER BY assignment_id`,
      [ids],
    );
    const byIdentity = new Map<string, Assignment[]>();
    for (const row of assignments.rows) {
      const list = byIdentity.get(row.identity_id) ?? [];
      list.push(row.state);
      byIdentity.set(row.identity_id, list);
    }
    yield rows.map((row) => ({
      identity: toRegisteredIdentity(row),
      assignments: byIdentity.get(row.identity_id as string) ?? [],
    }));
    if (rows.length < pageSize) return;
  }
}
