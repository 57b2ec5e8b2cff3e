/**
 * Preloaded into each service by `npm run bench:e2e` when BENCH_CPU_PROFILE_DIR is set
 * (NODE_OPTIONS=--require, since Node refuses --cpu-prof there): profiles the whole process with
 * the inspector from start-up and writes <dir>/<app>.<pid>.cpuprofile on SIGUSR2 (the bench
 * sends it after the burst; Nest ends on SIGTERM by re-raising the signal, so no exit hook runs).
 */
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.once('SIGUSR2', () => {
    session.post('Profiler.stop', (error, result) => {
      const app = process.argv[1].split('/').slice(-3)[0];
      if (!error) writeFileSync(join(dir, `${app}.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
