/**
 * Helpers for tests and benchmarks that start their own PostgreSQL cluster.
 */
import { Client } from 'pg';

/**
 * Waits until the server accepts sessions. A freshly started cluster opens its port a moment
 * before it stops answering "the database system is starting up" (SQLSTATE 57P03).
 */
export async function waitForPostgres(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
