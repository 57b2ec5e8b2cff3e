/**
 * PostgreSQL CPU per catch-up read at the tail of the global log: this tree's store against
 * another checkout's (main's: ADR 0004's gate over pg_locks and pg_stat_activity, then the page),
 * on one private cluster with idle sessions beside them as in production, in interleaved slices
 * (order reversed every round) so that both see the same machine load. CPU is the utime + stime of
 * each store's single backend (/proc), which depends far less on the load than the wall clock.
 *
 *   git -C /work/main archive HEAD | tar -x -C /tmp/main && ln -s $PWD/node_modules /tmp/main/
 *   AB_OTHER=/tmp/main node tools/run-ts.js tools/bench/log-gate.bench.ts
 *   # BENCH_CALLS reads per slice (default 500), AB_ROUNDS (6), BENCH_IDLE_SESSIONS (40)
 *
 * Two states of the cluster: nothing running but the idle sessions, then three unrelated open
 * transactions that have written (ids in every snapshot, none of them appending). Also timed: the
 * lock-table read the new gate falls back on when it stands on a transaction of unknown kind.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Pool } from 'pg';
import { type Position, PostgresEventStore } from '@prov/event-store';
import { appenderVerdicts } from '../../libs/event-store/src/postgres/log-gate';
import { privateServer } from './event-store-server';
import { processCpuMs } from './process-cpu';

const CALLS = Number(process.env.BENCH_CALLS ?? 500);
const ROUNDS = Number(process.env.AB_ROUNDS ?? 6);
const IDLE = Number(process.env.BENCH_IDLE_SESSIONS ?? 40);

interface Contender {
  name: string;
  /** The pool of one connection the calls go through. */
  pool: Pool;
  call(): Promise<unknown>;
}

async function backendPid(pool: Pool): Promise<number> {
  return (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
}

/** CPU ms of PostgreSQL per call, by contender, over all rounds of one state. */
async function measure(contenders: Contender[]): Promise<Map<string, number>> {
  const cpu = new Map(contenders.map((c) => [c.name, 0]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) {
      // Asked every slice: the pool closes a connection idle for 10 s and opens another.
      const pid = await backendPid(contender.pool);
      const before = processCpuMs(pid);
      for (let i = 0; i < CALLS; i++) await contender.call();
      if ((await backendPid(contender.pool)) !== pid)
        throw new Error(`${contender.name}: connection replaced`);
      cpu.set(contender.name, cpu.get(contender.name)! + processCpuMs(pid) - before);
    }
  }
  for (const [name, ms] of cpu) cpu.set(name, ms / (ROUNDS * CALLS));
  return cpu;
}

function print(state: string, cpu: Map<string, number>): void {
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(`${state} (load ${load}), PostgreSQL CPU ms per call:`);
  for (const [name, ms] of cpu) console.log(`  ${name.padEnd(44)} ${ms.toFixed(3)}`);
  console.log(
    `  this/other ${(cpu.get('this tree: readAll')! / cpu.get('other tree: readAll')!).toFixed(2)}`,
  );
}

async function main(): Promise<void> {
  const other = process.env.AB_OTHER;
  if (!other) throw new Error('AB_OTHER: the directory of the other checkout is required');
  const { PostgresEventStore: OtherStore } = (await import(
    join(resolve(other), 'libs/event-store/src/postgres/postgres-event-store')
  )) as { PostgresEventStore: typeof PostgresEventStore };
  const server = await privateServer(false);
  const idle: Client[] = [];
  const open: Client[] = [];
  // One connection each: its backend's CPU is the store's reads and nothing else.
  const mine = await PostgresEventStore.connect({ connectionString: server.url, maxConnections: 1 });
  const theirs = await OtherStore.connect({ connectionString: server.url, maxConnections: 1 });
  const plain = new Pool({ connectionString: server.url, max: 1 });
  plain.on('error', () => undefined);
  try {
    for (let i = 0; i < 50; i++) {
      await mine.appendMany(
        Array.from({ length: 100 }, () => ({
          streamName: `bench-${randomUUID()}`,
          events: [{ id: randomUUID(), type: 'Seeded', data: { n: i } }],
        })),
      );
    }
    // A subscription at the tail: two events new since its last read.
    const { rows } = await plain.query<{ t: string; g: string }>(
      `SELECT transaction_id::text AS t, global_position::text AS g FROM es.events
        ORDER BY transaction_id DESC, global_position DESC OFFSET 2 LIMIT 1`,
    );
    const after = `${rows[0].t.padStart(20, '0')}:${rows[0].g.padStart(20, '0')}` as Position;
    for (let i = 0; i < IDLE; i++) {
      const client = new Client({ connectionString: server.url });
      await client.connect();
      idle.push(client);
    }
    const contenders: Contender[] = [
      { name: 'this tree: readAll', pool: mine.pool, call: () => mine.readAll({ after }) },
      {
        name: 'other tree: readAll',
        pool: theirs.pool,
        call: () => theirs.readAll({ after }),
      },
      { name: 'SELECT 1', pool: plain, call: () => plain.query('SELECT 1') },
    ];
    console.log(`this tree vs ${other}: ${ROUNDS} rounds of ${CALLS} calls, ${IDLE} idle sessions`);
    print('nothing running', await measure(contenders));

    await plain.query('CREATE TABLE IF NOT EXISTS unrelated (id int)');
    for (let i = 0; i < 3; i++) {
      const client = new Client({ connectionString: server.url });
      await client.connect();
      await client.query('BEGIN');
      await client.query('INSERT INTO unrelated VALUES ($1)', [i]);
      open.push(client);
    }
    const xids = (
      await plain.query<{ x: string }>(`SELECT x::text FROM pg_snapshot_xip(pg_current_snapshot()) x`)
    ).rows.map((r) => r.x);
    const verdicts = {
      name: 'lock-table read (new gate, kind unknown)',
      pool: plain,
      call: () => appenderVerdicts(plain, xids),
    };
    print('3 unrelated open transactions', await measure([...contenders, verdicts]));
  } finally {
    await Promise.all([...idle, ...open].map((client) => client.end()));
    await plain.end();
    await mine.close();
    await theirs.close();
    await server.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
