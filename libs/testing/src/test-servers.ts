import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { waitFor } from './system/api-client';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: integration tests need the real servers that the Jest global setup starts ` +
        `(run them through 'npm test', not with PROV_TEST_SERVERS=none)`,
    );
  }
  return value;
}

/** Where the shared test NATS server listens. */
export function testNatsUrl(): string {
  return required('PROV_TEST_NATS_URL');
}

/** The shared test PostgreSQL cluster's maintenance database (superuser, trust auth). */
export function testPostgresUrl(): string {
  return required('PROV_TEST_POSTGRES_URL');
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Makes a fresh, empty database in the shared test cluster, so one test file never sees another's rows. */
export async function createTestDatabase(prefix = 't', adminUrl = testPostgresUrl()): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await sessionsGone(client, name);
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A pool's end() resolves once it has let go of its clients, before PostgreSQL has seen them
 * leave. Forcing the drop then terminates those sessions, and a client that is still closing
 * reports the termination as an error its pool no longer has a listener for: an unhandled error
 * in whichever test runs next. So the drop waits (bounded) for the sessions to go first; FORCE
 * stays for a spec that really left one open.
 */
async function sessionsGone(client: Client, database: string): Promise<void> {
  const sessions = async () =>
    (
      await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      )
    ).rows[0].n;
  // Past the bound the drop forces anyway: a session still there is one a spec left open.
  await waitFor(sessions, { until: (n) => n === 0, timeoutMs: 5000, intervalMs: 20 }).catch(() => undefined);
}
