import { Gauge } from 'prom-client';
import type { Pool } from 'pg';
import { stateName, type ProvisioningStateCode } from '@prov/domain';
import { metricsRegistry } from './metrics';

/**
 * Gauges read from the database when Prometheus scrapes (never on a timer): orders by state and
 * connection from the read model, and how far each subscription (reactions in `es.checkpoints`,
 * projections in `rm.checkpoints`) is behind the log, in events and in seconds. Registered by
 * the projector, which owns the read models; a failed query leaves the series out of the scrape.
 */
export function registerEngineGauges(pool: Pool): void {
  new Gauge({
    name: 'prov_orders',
    help: 'Provisioning orders in the read model by state and connection',
    labelNames: ['state', 'connection'] as const,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      const { rows } = await pool
        .query<{ connection: string | null; code: number; count: string }>(
          'SELECT connection_id AS connection, provisioning_state_code AS code, count(*) AS count FROM rm.orders GROUP BY 1, 2',
        )
        .catch(() => ({ rows: [] }));
      for (const row of rows) {
        this.set(
          { state: stateName(row.code as ProvisioningStateCode), connection: row.connection ?? 'none' },
          Number(row.count),
        );
      }
    },
  });
  const lag = async () =>
    (
      await pool
        .query<{ kind: string; name: string; events: string; seconds: string }>(
          `
        WITH subs AS (
          SELECT 'reaction' AS kind, subscription_id AS name, split_part(position, ':', 2)::bigint AS pos FROM es.checkpoints
          UNION ALL
          SELECT 'projection', projection, split_part(position, ':', 2)::bigint FROM rm.checkpoints)
        SELECT kind, name,
          greatest((SELECT coalesce(max(global_position), 0) FROM es.events) - pos, 0) AS events,
          coalesce(extract(epoch FROM now() - (SELECT created_at FROM es.events e WHERE e.global_position > pos
                                              ORDER BY global_position LIMIT 1)), 0) AS seconds
        FROM subs`,
        )
        // The database away (or not migrated yet): these series are left out of the scrape,
        // which still carries the process metrics.
        .catch(() => ({ rows: [] }))
    ).rows;
  new Gauge({
    name: 'prov_subscription_lag_events',
    help: 'Events of the log a subscription has not handled yet',
    labelNames: ['kind', 'subscription'] as const,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      for (const row of await lag()) this.set({ kind: row.kind, subscription: row.name }, Number(row.events));
    },
  });
  new Gauge({
    name: 'prov_subscription_lag_seconds',
    help: 'Age of the oldest event a subscription has not handled yet (0: caught up)',
    labelNames: ['kind', 'subscription'] as const,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      for (const row of await lag())
        this.set({ kind: row.kind, subscription: row.name }, Number(row.seconds));
    },
  });
}
