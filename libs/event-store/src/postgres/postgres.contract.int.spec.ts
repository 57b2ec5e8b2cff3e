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

describeEventStoreContract(
  'PostgreSQL',
  async ({ fresh }) => {
    if (fresh || databases.length === 0) databases.push(await createTestDatabase('es'));
    const { url } = databases[databases.length - 1];
    const store = await PostgresEventStore.connect({ connectionString: url, maxConnections: 25 });
    const checkpoints = new PostgresCheckpointStore({ pool: store.pool });
    return {
      store,
      checkpoints,
      dispose: () => store.close(),
      async tamper(streamName, revision) {
        // As someone with write access to the database would: an UPDATE of the row.
        const { rows } = await store.pool.query<{ data: unknown }>(
          'SELECT data FROM es.events WHERE stream_name = $1 AND stream_revision = $2',
          [streamName, revision.toString()],
        );
        const update = (data: unknown) =>
          store.pool.query(
            'UPDATE es.events SET data = $3::jsonb WHERE stream_name = $1 AND stream_revision = $2',
            [streamName, revision.toString(), JSON.stringify(data)],
          );
        await update({ forged: true });
        return async () => {
          await update(rows[0].data);
        };
      },
      async chainHashes(streamName) {
        const { rows } = await store.pool.query<{ hash: string }>(
          "SELECT encode(hash, 'hex') AS hash FROM es.events WHERE stream_name = $1 ORDER BY stream_revision",
          [streamName],
        );
        return rows.map((row) => row.hash);
      },
    };
  },
  { appendsToSeveralStreams: true },
);
