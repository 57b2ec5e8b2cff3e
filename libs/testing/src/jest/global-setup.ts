import { randomUUID } from 'node:crypto';
import { startNatsServer } from '../nats-server';
import { startPostgresCluster } from '../postgres-cluster';
import { registerForTeardown } from './running-servers';

/**
 * Starts the real servers every integration and end-to-end test shares: one nats-server with
 * JetStream and one throwaway PostgreSQL cluster, on free loopback ports. Tests learn where they
 * are from environment variables (inherited by Jest's workers) and make their own databases,
 * streams and subjects, so files never see each other's data.
 *
 * PROV_TEST_RUN_ID names this run, so that the workers build the services only once between
 * them (buildServices(); the build itself waits until an end-to-end test asks for it, so runs
 * without one do not pay for it).
 *
 * PROV_TEST_SERVERS=none skips this for runs of unit tests only.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.PROV_TEST_SERVERS === 'none') return;
  process.env.PROV_TEST_RUN_ID = randomUUID();
  const [nats, postgres] = await Promise.all([startNatsServer(), startPostgresCluster()]);
  registerForTeardown(nats, postgres);
  process.env.PROV_TEST_NATS_URL = nats.url;
  process.env.PROV_TEST_NATS_MONITOR_URL = nats.monitorUrl;
  process.env.PROV_TEST_POSTGRES_URL = postgres.url;
}
