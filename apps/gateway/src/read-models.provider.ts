import { Pool } from 'pg';
import { DATABASE_POOL } from '@prov/platform';
import { ReadModelQueries } from '@prov/read-models';

/** The gateway answers reads from the read models, never from the services. */
export const readModelQueriesProvider = {
  provide: ReadModelQueries,
  inject: [DATABASE_POOL],
  useFactory: (pool: Pool) => new ReadModelQueries(pool),
};
