/**
 * The complete job over the seeded store, run by the orders service's own classes in the bench
 * process (no NATS, no agent process):
 * - evaluate-role-model: OrderMaintenance.evaluateRoleModel over every live assignment of the
 *   read models, by identity (ADR 0048: each assignment's stream and its identity's, once, read, the role model evaluated,
 *   nothing to change since the seed computed every order with the same model). The birthright
 *   half of the task (a command to the requests service per 100 identities) is not run: the
 *   bench's model has no rules;
 * - fulfil's scan: the open Pending orders (none in the seed), as the task streams them;
 * - synchronize + verify for one connection: the agent's read-back of an SQL target (the SQL
 *   connector's readAll of its tables, filled from the executed orders, i.e. what the agent wrote)
 *   recorded by SynchronizationService.record, which verifies every Executed order it observes
 *   (one append per order) and looks for drift.
 * The services read the live schema `rm`: the replayed schema is renamed to it for the job and back.
 */
import type { Pool } from 'pg';
import { ProvisioningState } from '@prov/domain';
import type { PostgresEventStore } from '@prov/event-store';
import { createConnector } from '@prov/connectors';
import { LIVE_SCHEMA, ReadModelQueries } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { AccountOwnership } from '../../apps/orders/src/account-ownership';
import { AssignmentCommands } from '../../apps/orders/src/assignment-commands';
import { OrderGenerationReaction } from '../../apps/orders/src/order-generation.reaction';
import { OrderMaintenance } from '../../apps/orders/src/order-maintenance';
import { SynchronizationService } from '../../apps/orders/src/synchronization.service';
import { treeCpuMs } from './process-cpu';
import { connectionId, TARGET_URL_ENV, targetSchema } from './scale-model';

export interface JobFigures {
  lines: string[];
}

/** Fills connection k's SQL target (the connector's built-in tables) with what its executed orders wrote. */
export async function fillTarget(pool: Pool, k: number): Promise<void> {
  const t = targetSchema(k);
  await pool.query(`TRUNCATE ${t}.accounts CASCADE`);
  await pool.query(
    `INSERT INTO ${t}.accounts (account_key, attributes)
     SELECT DISTINCT ON (changes->>'accountKey') changes->>'accountKey', changes->'attributes'
       FROM ${LIVE_SCHEMA}.orders WHERE connection_id = $1 AND is_open AND provisioning_state_code = $2
      ORDER BY changes->>'accountKey'`,
    [connectionId(k), ProvisioningState.Executed],
  );
  await pool.query(
    `INSERT INTO ${t}.group_memberships (account_key, group_name)
     SELECT DISTINCT changes->>'accountKey', changes->>'group'
       FROM ${LIVE_SCHEMA}.orders WHERE connection_id = $1 AND is_open AND provisioning_state_code = $2`,
    [connectionId(k), ProvisioningState.Executed],
  );
}

/** CPU ms per item of the bench process and its PostgreSQL since `since` (a treeCpuMs reading). */
const cpuPer = (since: number, items: number) => ((treeCpuMs() - since) / Math.max(1, items)).toFixed(2);

export async function runCompleteJob(
  pool: Pool,
  store: PostgresEventStore,
  model: RoleModel,
  options: { schema: string; url: string; connection: number; log: (line: string) => void },
): Promise<void> {
  const { log } = options;
  const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
  const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  await pool.query(`DROP SCHEMA IF EXISTS ${LIVE_SCHEMA} CASCADE`);
  await pool.query(`ALTER SCHEMA ${options.schema} RENAME TO ${LIVE_SCHEMA}`);
  try {
    const live = Number(
      (
        await pool.query(
          `SELECT count(*) AS n FROM ${LIVE_SCHEMA}.assignments WHERE workflow_state = 'Requested'`,
        )
      ).rows[0].n,
    );
    let t0 = process.hrtime.bigint();
    const step = Math.max(1, Math.floor(live / 10));
    let reported = 0;
    const progress = (evaluated: number) => {
      if (evaluated - reported < step) return;
      reported = evaluated;
      log(
        `    evaluated ${evaluated} of ${live} (${Math.round(evaluated / seconds(t0))} assignments/s, RSS ${mb(process.memoryUsage().rss)})`,
      );
    };
    const assignments = new AssignmentCommands(store, model);
    const ownership = new AccountOwnership(store, pool, assignments);
    const generation = new OrderGenerationReaction(assignments, model, ownership);
    const maintenance = new OrderMaintenance(pool, assignments, generation, model, ownership);
    let cpu = treeCpuMs();
    const evaluated = await maintenance.evaluateRoleModel('scale-bench', undefined, progress);
    const evaluateSeconds = seconds(t0);
    const done = evaluated.counts.assignments;
    log(
      `  complete job, evaluate-role-model: ${done} live assignments in ${evaluateSeconds.toFixed(1)} s = ` +
        `${Math.round(done / evaluateSeconds)} assignments/s, ${cpuPer(cpu, done)} ms CPU per assignment (bench process + PostgreSQL); ` +
        `${JSON.stringify(evaluated.counts)}, ${evaluated.errors.length} errors`,
    );

    t0 = process.hrtime.bigint();
    let pending = 0;
    for await (const order of new ReadModelQueries(pool).ordersInStates([ProvisioningState.Pending])) {
      if (order) pending++;
    }
    log(`  complete job, fulfil's scan of Pending orders: ${pending} in ${seconds(t0).toFixed(2)} s`);

    const connection = model.connection(connectionId(options.connection))!;
    const connector = createConnector(connection, { [TARGET_URL_ENV]: options.url });
    try {
      await connector.readAll(); // creates the target's tables
      t0 = process.hrtime.bigint();
      await fillTarget(pool, options.connection);
      const fillSeconds = seconds(t0);
      t0 = process.hrtime.bigint();
      const resources = await connector.readAll();
      const readSeconds = seconds(t0);
      t0 = process.hrtime.bigint();
      cpu = treeCpuMs();
      const synchronization = new SynchronizationService(assignments, store, pool, model);
      const outcome = await synchronization.record({
        connectionId: connection.id,
        accounts: resources.accounts,
        memberships: resources.memberships,
        jobId: 'scale-bench',
      } as Parameters<SynchronizationService['record']>[0]);
      const recordSeconds = seconds(t0);
      log(
        `  complete job, synchronize ${connection.id} (${resources.accounts.length} accounts, ${resources.memberships.length} memberships; ` +
          `target filled in ${fillSeconds.toFixed(1)} s, read back in ${readSeconds.toFixed(1)} s): ` +
          `${outcome.verified} orders verified, ${outcome.nonConforming} non-conforming, in ${recordSeconds.toFixed(1)} s = ` +
          `${Math.round(outcome.verified / recordSeconds)} orders/s, ${cpuPer(cpu, outcome.verified)} ms CPU per order`,
      );
    } finally {
      await connector.close();
    }
    clearInterval(sampler);
    log(`  complete job: peak RSS of the bench process ${mb(peakRss)}`);
  } finally {
    clearInterval(sampler);
    await pool.query(`ALTER SCHEMA ${LIVE_SCHEMA} RENAME TO ${options.schema}`);
  }
}
