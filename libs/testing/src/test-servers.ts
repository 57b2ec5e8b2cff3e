import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

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
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
