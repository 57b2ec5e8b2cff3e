import { connect } from 'nats';
import { Client, Pool } from 'pg';
import { createTestDatabase, testNatsUrl } from './test-servers';
import { startNatsServer } from './nats-server';
import { waitFor } from './system/api-client';

describe('test harness servers', () => {
  it('gives each caller its own empty PostgreSQL database and drops it', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    expect(a.name).not.toEqual(b.name);
    const client = new Client({ connectionString: a.url });
    await client.connect();
    await client.query('CREATE TABLE probe (id int)');
    const { rows } = await client.query('SELECT current_database() AS db');
    expect(rows[0].db).toBe(a.name);
    await client.end();
    const other = new Client({ connectionString: b.url });
    await other.connect();
    const tables = await other.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'probe'");
    expect(tables.rows[0].n).toBe(0);
    await other.end();
    await Promise.all([a.drop(), b.drop()]);
  });

  it("drops a database right after its pool's end() without terminating the pool's closing sessions", async () => {
    const clients = 20;
    for (let round = 0; round < 12; round++) {
      const db = await createTestDatabase('drop');
      const pool = new Pool({ connectionString: db.url, max: clients });
      const errors: Error[] = [];
      let removed = 0;
      pool.on('error', (error) => errors.push(error));
      pool.on('remove', () => removed++);
      await Promise.all(Array.from({ length: clients }, () => pool.query('SELECT pg_sleep(0.01)')));
      await pool.end();
      await db.drop();
      // Every client has told its socket's end to the pool: a termination would have come first.
      await waitFor(() => removed, {
        until: (n) => n >= clients,
        timeoutMs: 10_000,
        description: 'the clients to close',
      });
      expect(errors.map((e) => e.message)).toEqual([]);
    }
  });

  it('runs a real nats-server with JetStream enabled', async () => {
    const nc = await connect({ servers: testNatsUrl() });
    const jsm = await nc.jetstreamManager();
    const info = await jsm.getAccountInfo();
    expect(info.limits).toBeDefined();
    expect(nc.info?.version).toMatch(/^2\./);
    await nc.close();
  });

  it('stops a server it started and removes its store', async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    await nc.flush();
    await nc.close();
    await server.stop();
    await expect(connect({ servers: server.url, reconnect: false, timeout: 500 })).rejects.toThrow();
  });
});
