import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { describeEventStoreContract } from '../testing';
import { PostgresCheckpointStore } from './postgres-checkpoint-store';
import { PostgresEventStore } from './postgres-event-store';

// Every fresh fixture gets its own database; `fresh: false` reconnects to the latest one, as a
// restarted service would.
const databases: TestDatabase[] = [];

afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

describeEventStoreContract('PostgreSQL', async ({ fresh }) => {
  if (fresh || databases.length === 0) databases.push(await createTestDatabase('es'));
  const { url } = databases[databases.length - 1];
  const store = await PostgresEventStore.connect({ connectionString: url, maxConnections: 25 });
  const checkpoints = new PostgresCheckpointStore({ pool: store.pool });
  return { store, checkpoints, dispose: () => store.close() };
});
