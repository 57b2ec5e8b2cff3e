import { databasePoolOptions } from './database-pool';

describe("a service's PostgreSQL pool", () => {
  const env = { DATABASE_POOL_SIZE: '12', DATABASE_CONNECT_TIMEOUT_MS: '2500' };

  it('probes idle connections with TCP keepalives, so a lock holder cut off from PostgreSQL learns it in seconds', () => {
    expect(databasePoolOptions('postgres://prov@db/prov', 'orders', env)).toMatchObject({
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
  });

  it('takes its size and bounded waits from the configuration, and names the service to PostgreSQL', () => {
    expect(databasePoolOptions('postgres://prov@db/prov', 'orders', env)).toMatchObject({
      connectionString: 'postgres://prov@db/prov',
      max: 12,
      connectionTimeoutMillis: 2_500,
      statement_timeout: 30_000,
      application_name: 'prov-orders',
    });
  });
});
