/**
 * Preloaded into each service by `npm run bench:e2e` when BENCH_CPU_PROFILE_DIR is set
 * (NODE_OPTIONS=--require, since Node refuses --cpu-prof there): profiles the process with the
 * inspector from the moment the bench creates <dir>/burst-started and writes
 * <dir>/<app>.<pid>.cpuprofile when it creates <dir>/burst-ended (a file, not a signal: Nest's
 * shutdown hooks end the service on SIGUSR2, and the bench goes on with the same services).
 * Next to it, <app>.<pid>.queries.json counts the PostgreSQL statements the process sent (by their
 * first words) from the moment the bench creates <dir>/burst-started: the burst alone.
 */
const { Session } = require('node:inspector');
const { existsSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  let queries = new Map();
  const { Client } = require('pg');
  const query = Client.prototype.query;
  Client.prototype.query = function (config, ...rest) {
    const text = typeof config === 'string' ? config : config?.text;
    if (typeof text === 'string') {
      const key = text.replace(/\s+/g, ' ').trim().slice(0, 70);
      queries.set(key, (queries.get(key) ?? 0) + 1);
    }
    return query.call(this, config, ...rest);
  };
  let profiling = false;
  const watch = setInterval(() => {
    if (!profiling) {
      if (!existsSync(join(dir, 'burst-started'))) return;
      queries = new Map();
      // The profiler starts only here: it shows the burst, not start-up and registration, and its
      // own sampling does not keep the services from looking idle while the bench waits for that.
      session.post('Profiler.start');
      profiling = true;
      return;
    }
    if (!existsSync(join(dir, 'burst-ended'))) return;
    clearInterval(watch);
    const counted = Object.fromEntries([...queries].sort((a, b) => b[1] - a[1]));
    Client.prototype.query = query;
    session.post('Profiler.stop', (error, result) => {
      const app = process.argv[1].split('/').slice(-3)[0];
      writeFileSync(join(dir, `${app}.${process.pid}.queries.json`), JSON.stringify(counted, null, 1));
      if (!error)
        writeFileSync(join(dir, `${app}.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  }, 200);
  watch.unref();
}
