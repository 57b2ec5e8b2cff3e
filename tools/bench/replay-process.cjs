/**
 * The audit replay in a process of its own that runs the compiled code (dist/) the way the
 * services run it (`node -r tools/runtime/register-paths.js`), without the bench's TypeScript
 * runtime (ts-node and the compiler hold some 200 MB that a service does not). Started by
 * scale-replay-only.ts with SCALE_REPLAY_COMPILED; prints one JSON line with what it measured of
 * itself: events, seconds, its CPU, its peak RSS (VmHWM) and the largest heap it used.
 *
 *   REPLAY_URL=<database url> REPLAY_SCHEMA=rm_only REPLAY_TREE=<tree whose dist/ to run>
 *   REPLAY_CPU_PROFILE=<file>   # and a V8 profile of the replay
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Session } = require('node:inspector');

const tree = process.env.REPLAY_TREE || join(__dirname, '..', '..');
require(join(tree, 'tools', 'runtime', 'register-paths.js'));
const { Pool } = require('pg');
const { PostgresEventStore } = require('@prov/event-store');
const { Projector } = require('@prov/read-models');

const vmHwmMb = () => Number(readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)[1]) / 1024;

/** Starts a V8 CPU profile; the returned function writes it to `file`. */
function profile(file) {
  if (!file) return async () => undefined;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  return () =>
    new Promise((resolve, reject) =>
      session.post('Profiler.stop', (error, result) => {
        if (error) return reject(error);
        writeFileSync(file, JSON.stringify(result.profile));
        session.disconnect();
        resolve();
      }),
    );
}

async function main() {
  const pool = new Pool({ connectionString: process.env.REPLAY_URL, max: 10 });
  pool.on('error', () => undefined);
  const store = await PostgresEventStore.connect({ pool });
  try {
    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    let heapPeak = 0;
    const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 100);
    const stopProfile = profile(process.env.REPLAY_CPU_PROFILE);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const projector = new Projector(pool, store, { schema: process.env.REPLAY_SCHEMA || 'rm_only' });
    await projector.replayToEnd();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    await stopProfile();
    clearInterval(sampler);
    console.log(
      JSON.stringify({
        events: projector.eventsHandled,
        seconds,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        rssBeforeMb: rssBefore,
        vmHwmMb: vmHwmMb(),
        heapPeakMb: heapPeak / 2 ** 20,
      }),
    );
  } finally {
    await store.close();
    await pool.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
