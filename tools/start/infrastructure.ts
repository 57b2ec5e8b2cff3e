import { connect } from 'node:net';
import { join } from 'node:path';
import { connect as natsConnect } from 'nats';
import { Client } from 'pg';
import { redactUrl } from '@prov/config';
import { startNatsServer, startPostgresCluster } from '@prov/testing';

/**
 * Finds or starts the servers `npm start` needs: a server the developer already runs is used
 * as it is (and left running); otherwise one is started here, with its data under .run/ so
 * that the next start finds the same event log, and stopped on exit.
 */

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Server {
  url: string;
  /** How it was chosen, for the summary: "NATS_URL", "already running", "started here". */
  origin: string;
  /** Set when this process started the server: stops it. */
  stop?: () => Promise<void>;
}

type Say = (line: string) => void;

/** Whether something accepts TCP connections at the URL's host and port. */
export function tcpReachable(url: string, defaultPort: number, timeoutMs = 1000): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname || '127.0.0.1';
    port = Number(parsed.port || defaultPort);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** undefined when a session can be opened at the URL, else why not (and PostgreSQL's error code). */
export async function postgresProblem(url: string): Promise<{ message: string; code?: string } | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return { message: (error as Error).message, code: (error as { code?: string }).code };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates the database unless it exists; connects to the server's `postgres` database to do it. */
export async function ensureDatabase(url: string): Promise<'created' | 'exists'> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`will not create a database named '${name}'`);
  const admin = new Client({
    connectionString: withDatabase(url, 'postgres'),
    connectionTimeoutMillis: 3000,
  });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return 'exists';
    await admin.query(`CREATE DATABASE ${name}`);
    return 'created';
  } finally {
    await admin.end();
  }
}

/**
 * NATS_URL given: that server, with the credentials of BUS_CREDENTIALS_FILE (see bus.ts), unless
 * it admits clients without credentials. Otherwise a nats-server started here with the bus
 * configuration (`configFile`), on 4222 when free: a server that merely happens to run on 4222
 * is not used, as it would not know the services' credentials, or would admit anybody.
 */
export async function chooseNats(
  env: NodeJS.ProcessEnv,
  runDir: string,
  say: Say,
  configFile?: string,
): Promise<Server> {
  if (env.NATS_URL) {
    if (!(await tcpReachable(env.NATS_URL, 4222)))
      throw new Error(`NATS_URL ${env.NATS_URL} does not answer`);
    if (await admitsAnonymous(env.NATS_URL)) {
      throw new Error(
        `the NATS server at NATS_URL ${env.NATS_URL} admits clients without credentials: the services do not run on such a bus (docs/security.md)`,
      );
    }
    return { url: env.NATS_URL, origin: 'NATS_URL' };
  }
  if (!configFile) throw new Error('a nats-server started here needs the bus configuration');
  const storeDir = join(runDir, 'nats');
  say(
    `starting nats-server with JetStream and the bus configuration (store ${storeDir}, configuration ${configFile})`,
  );
  const port = (await tcpReachable(DEFAULT_NATS_URL, 4222)) ? undefined : 4222;
  const nats = await startNatsServer({ port, storeDir, configFile });
  return { url: nats.url, origin: `started here, store ${storeDir}`, stop: () => nats.stop() };
}

/** Whether a client without credentials gets in (then anybody could send commands or read orders). */
export async function admitsAnonymous(url: string): Promise<boolean> {
  try {
    const nc = await natsConnect({
      servers: url.split(','),
      reconnect: false,
      timeout: 3000,
      name: 'prov-start-probe',
    });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

export interface Databases {
  server: Server;
  databaseUrl: string;
  hrAppDatabaseUrl: string;
}

/**
 * DATABASE_URL given and reachable: used as it is (the engine creates its schemas), and the HR
 * application's database defaults to `hr_app` on the same server. Otherwise the local server
 * on 5432, or a cluster started here, gets the databases `provisioning` and `hr_app`.
 */
export async function chooseDatabases(env: NodeJS.ProcessEnv, runDir: string, say: Say): Promise<Databases> {
  let server: Server | undefined;
  let databaseUrl: string | undefined;
  if (env.DATABASE_URL) {
    let problem = await postgresProblem(env.DATABASE_URL);
    // The server answers but the database is not there yet (3D000): make it.
    if (problem?.code === '3D000') {
      problem = await ensureDatabase(env.DATABASE_URL).then(
        () => {
          say(`created database ${redactUrl(env.DATABASE_URL!)}`);
          return undefined;
        },
        (error: Error) => ({ message: `it does not exist and could not be created: ${error.message}` }),
      );
    }
    if (!problem) {
      server = { url: env.DATABASE_URL, origin: 'DATABASE_URL' };
      databaseUrl = env.DATABASE_URL;
    } else
      say(
        `DATABASE_URL ${redactUrl(env.DATABASE_URL)} cannot be used (${problem.message}); looking for another PostgreSQL`,
      );
  }
  if (!server && !(await postgresProblem(DEFAULT_POSTGRES_URL))) {
    server = { url: DEFAULT_POSTGRES_URL, origin: 'already running' };
  }
  if (!server) {
    const dataDir = join(runDir, 'postgres');
    say(`starting PostgreSQL (data ${dataDir})`);
    const port = (await tcpReachable(DEFAULT_POSTGRES_URL, 5432)) ? undefined : 5432;
    const postgres = await startPostgresCluster({ dataDir, port });
    server = { url: postgres.url, origin: `started here, data ${dataDir}`, stop: () => postgres.stop() };
  }
  if (!databaseUrl) {
    databaseUrl = withDatabase(server.url, 'provisioning');
    if ((await ensureDatabase(databaseUrl)) === 'created') say(`created database ${redactUrl(databaseUrl)}`);
  }
  let hrAppDatabaseUrl = env.HR_APP_DATABASE_URL;
  if (!hrAppDatabaseUrl) {
    hrAppDatabaseUrl = withDatabase(databaseUrl, 'hr_app');
    try {
      if ((await ensureDatabase(hrAppDatabaseUrl)) === 'created')
        say(`created database ${redactUrl(hrAppDatabaseUrl)}`);
    } catch (error) {
      say(
        `could not create the HR application's database (${(error as Error).message}); set HR_APP_DATABASE_URL`,
      );
    }
  }
  return { server, databaseUrl, hrAppDatabaseUrl };
}
