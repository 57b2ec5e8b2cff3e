import {
  evolveIdentity,
  type IdentityEvent,
  initialIdentityState,
  type IdentityState,
  type RegisteredIdentity,
} from '@prov/domain';
import { type Projection, streamId } from './projection';

const PREFIX = 'identity-';

/** The directory: one row per identity, folded with the domain's `evolveIdentity`. */
export const identityProjection: Projection = {
  name: 'identities',
  streamPrefixes: [PREFIX],
  async apply(client, schema, event) {
    const identityId = streamId(event.streamName, PREFIX);
    const { rows } = await client.query<RegisteredIdentity & { revision: string }>(
      `SELECT identity_id AS "identityId", login, first_name AS "firstName", last_name AS "lastName", email,
              department, attributes, registered_at AS "registeredAt", updated_at AS "updatedAt", revision,
              active, deactivated_at AS "deactivatedAt", holdings,
              deactivation_scheduled_at AS "deactivationScheduledAt"
         FROM ${schema}.identities WHERE identity_id = $1 FOR UPDATE`,
      [identityId],
    );
    if (rows[0] && BigInt(rows[0].revision) >= event.revision) return;
    const previous: IdentityState = rows[0]
      ? {
          ...rows[0],
          exists: true,
          department: rows[0].department ?? undefined,
          registeredAt: new Date(rows[0].registeredAt).toISOString(),
          updatedAt: new Date(rows[0].updatedAt).toISOString(),
          deactivatedAt: rows[0].deactivatedAt ? new Date(rows[0].deactivatedAt).toISOString() : undefined,
          deactivationScheduledAt: rows[0].deactivationScheduledAt
            ? new Date(rows[0].deactivationScheduledAt).toISOString()
            : undefined,
        }
      : initialIdentityState();
    const next = evolveIdentity(previous, { type: event.type, data: event.data } as IdentityEvent);
    if (!next.exists) return;
    await client.query(
      `INSERT INTO ${schema}.identities (identity_id, login, first_name, last_name, email, department, attributes,
         registered_at, updated_at, revision, active, deactivated_at, holdings, deactivation_scheduled_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (identity_id) DO UPDATE SET login = EXCLUDED.login, first_name = EXCLUDED.first_name,
         last_name = EXCLUDED.last_name, email = EXCLUDED.email, department = EXCLUDED.department,
         attributes = EXCLUDED.attributes, updated_at = EXCLUDED.updated_at, revision = EXCLUDED.revision,
         active = EXCLUDED.active, deactivated_at = EXCLUDED.deactivated_at, holdings = EXCLUDED.holdings,
         deactivation_scheduled_at = EXCLUDED.deactivation_scheduled_at`,
      [
        identityId,
        next.login,
        next.firstName,
        next.lastName,
        next.email,
        next.department ?? null,
        JSON.stringify(next.attributes),
        next.registeredAt,
        next.updatedAt,
        event.revision.toString(),
        next.active,
        next.deactivatedAt ?? null,
        JSON.stringify(next.holdings),
        next.deactivationScheduledAt ?? null,
      ],
    );
  },
};
