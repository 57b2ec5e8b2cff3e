import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { readEnvironment, redactUrl, serviceConfigModule, type ServiceEnvironment } from '@prov/config';
import {
  type EventStore,
  EventStoreDbEventStore,
  PostgresCheckpointStore,
  PostgresEventStore,
} from '@prov/event-store';
import { createPool } from './database-pool';
import { instrumentEventStore } from './ops/metrics';
import { traceEventStore } from './tracing/event-tracing';
import { RoleModelSource } from './role-model.source';
import { RoleModelVersions } from './role-model-versions';
import { serviceBus } from './service-bus';
import {
  CHECKPOINT_STORE,
  DATABASE_POOL,
  EVENT_STORE,
  ROLE_MODEL,
  SERVICE_BUS,
  SERVICE_ENVIRONMENT,
  SERVICE_NAME,
} from './tokens';

export interface PlatformModuleOptions {
  service: string;
  /** Environment to read; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The infrastructure every service shares: configuration from the environment, the PostgreSQL
 * pool (read models, checkpoints), the event store adapter chosen by EVENT_STORE, and the role
 * model from ROLE_MODEL. One place, so that every service fails the same clear way at start.
 */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  private readonly logger = new Logger('Platform');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE_POOL) private readonly pool: Pool,
  ) {}

  static forRoot(options: PlatformModuleOptions): DynamicModule {
    const environment = readEnvironment(options.env);
    return {
      module: PlatformModule,
      imports: [serviceConfigModule(options.service, options.env)],
      providers: [
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: SERVICE_ENVIRONMENT, useValue: environment },
        { provide: SERVICE_BUS, useFactory: () => serviceBus(options.service, options.env) },
        {
          provide: DATABASE_POOL,
          useFactory: () => createPool(environment.databaseUrl, options.service, options.env),
        },
        {
          provide: EVENT_STORE,
          inject: [DATABASE_POOL],
          useFactory: async (pool: Pool) =>
            instrumentEventStore(traceEventStore(await createEventStore(environment, pool))),
        },
        {
          provide: CHECKPOINT_STORE,
          inject: [DATABASE_POOL, EVENT_STORE],
          useFactory: (pool: Pool) => new PostgresCheckpointStore({ pool }),
        },
        { provide: RoleModelSource, useFactory: () => new RoleModelSource(environment.roleModelPath) },
        {
          provide: ROLE_MODEL,
          inject: [RoleModelSource],
          useFactory: (source: RoleModelSource) => source.asRoleModel(),
        },
        RoleModelVersions,
      ],
      exports: [
        RoleModelSource,
        SERVICE_BUS,
        SERVICE_NAME,
        SERVICE_ENVIRONMENT,
        DATABASE_POOL,
        EVENT_STORE,
        CHECKPOINT_STORE,
        ROLE_MODEL,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store
      .close()
      .catch((error) => this.logger.warn({ msg: 'closing the event store failed', error: String(error) }));
    await this.pool.end().catch(() => undefined);
  }
}

async function createEventStore(environment: ServiceEnvironment, pool: Pool): Promise<EventStore> {
  if (environment.eventStore === 'eventstoredb') {
    return EventStoreDbEventStore.connect(environment.eventStoreDbUrl!);
  }
  new Logger('Platform').log({
    msg: 'event store: PostgreSQL',
    database: redactUrl(environment.databaseUrl),
  });
  return PostgresEventStore.connect({ pool });
}
