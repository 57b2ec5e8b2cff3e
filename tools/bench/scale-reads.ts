/**
 * The API's reads on the replayed read models, through the gateway's own query code
 * (ReadModelQueries): an assignment, an identity's permissions, a queue page, a history; p50 and
 * p99 of each, one call at a time.
 */
import type { Pool } from 'pg';
import { ProvisioningState } from '@prov/domain';
import { ReadModelQueries } from '@prov/read-models';
import { connectionId } from './scale-model';

const ALL_STATES = Object.values(ProvisioningState).filter((v) => typeof v === 'number') as number[];

const ms = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

async function p99(times: number, run: (i: number) => Promise<unknown>): Promise<string> {
  const latencies: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = process.hrtime.bigint();
    await run(i);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return `p50 ${ms(at(0.5))} ms, p99 ${ms(at(0.99))} ms`;
}

/** The four reads' latencies, as lines of the bench's report. */
export async function measureReads(pool: Pool, schema: string, identities: number): Promise<string[]> {
  const queries = new ReadModelQueries(pool, schema);
  const ids = (
    await pool.query<{ assignment_id: string }>(
      `SELECT assignment_id FROM ${schema}.assignments ORDER BY random() LIMIT 200`,
    )
  ).rows.map((r) => r.assignment_id);
  const assignment = await p99(ids.length, (i) => queries.assignment(ids[i]));
  const permissions = await p99(200, (i) =>
    queries.assignmentsPage({ identityId: `identity-${(i * 7919) % identities}` }, { limit: 100 }),
  );
  const queue = await p99(50, () =>
    queries.ordersPage(ALL_STATES, { connectionId: connectionId(3) }, { limit: 50 }),
  );
  // The same page by the single scan of every state the queue used before (the same-run baseline).
  const singleScan = await p99(50, () =>
    pool.query(
      `SELECT *, updated_at::text AS page_at FROM ${schema}.orders
        WHERE is_open AND provisioning_state_code = ANY($1::int[]) AND connection_id = $2
        ORDER BY updated_at, order_id LIMIT 51`,
      [ALL_STATES, connectionId(3)],
    ),
  );
  let cursor: string | undefined;
  const walked = await p99(50, async () => {
    const page = await queries.ordersPage(
      ALL_STATES,
      { connectionId: connectionId(3) },
      { limit: 50, cursor },
    );
    cursor = page.next ?? undefined;
  });
  const history = await p99(ids.length, (i) => queries.history(ids[i]));
  // Not one of the four: the unfiltered list of GET /api/assignments (its default page of 500).
  const list = await p99(20, () => queries.assignmentsPage({}, { limit: 500 }));
  return [
    `  an assignment: ${assignment}`,
    `  an identity's permissions (assignments of one identity): ${permissions}`,
    `  a queue page (50 orders): ${queue}`,
    `  the same page by one scan of all the states (the query before, baseline): ${singleScan}`,
    `  queue pages 1 to 50, each after the last one's cursor: ${walked}`,
    `  a history: ${history}`,
    `  (the first page of all assignments, 500: ${list})`,
  ];
}
