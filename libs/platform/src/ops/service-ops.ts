import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { readAgentSettings, readOperationsSettings } from '@prov/config';
import type { RoleModel } from '@prov/role-model';
import { NatsConnectionProvider } from '../nats.provider';
import { CONNECTION_BREAKER_STATES, DATABASE_POOL, ROLE_MODEL } from '../tokens';
import { registerEngineGauges } from './engine-gauges';
import { registerConsumerGauges } from './jetstream-gauges';
import { collectProcessMetrics } from './metrics';
import { startOpsListener } from './ops-http';
import {
  CachedProbe,
  check,
  type CheckResult,
  type ConnectionBreakerReport,
  readinessOf,
  type Readiness,
} from './readiness';

/**
 * A provider the service may not have. Asked through ModuleRef: the application's own `get`
 * runs in Nest's exception zone, which ends the process when the provider is missing.
 */
function optional<T>(app: INestApplicationContext, token: unknown): T | undefined {
  try {
    return app.get(ModuleRef).get<T>(token as never, { strict: false });
  } catch {
    return undefined;
  }
}

const natsCheck = (nc: () => Promise<NatsConnection> | NatsConnection) => () =>
  check(async () => {
    const connection = await nc();
    if (connection.isClosed()) throw new Error('connection closed');
    await connection.flush();
  });

/**
 * The health of a running service: its dependencies (its NATS connections, PostgreSQL), asked
 * at most once per HEALTH_CACHE_MS, and whether it is draining. The gateway reports it at
 * `/api/health`; every service serves it, with `/metrics`, on HEALTH_PORT when that is set.
 */
export async function startServiceOps(
  app: INestApplicationContext,
  service: string,
  options: { logger: LoggerService | false; commandConnection?: () => NatsConnection },
): Promise<{ readiness: () => Promise<Readiness> }> {
  const settings = readOperationsSettings();
  collectProcessMetrics(service);
  let draining = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => (draining = true));

  const probes: Record<string, () => Promise<CheckResult>> = {};
  if (options.commandConnection) probes.commands = natsCheck(options.commandConnection);
  const jetstream = optional<NatsConnectionProvider>(app, NatsConnectionProvider);
  if (jetstream) probes.nats = natsCheck(() => jetstream.get());
  const pool = optional<Pool>(app, DATABASE_POOL);
  if (pool) probes.database = () => check(() => pool.query('SELECT 1 FROM es.events LIMIT 1'));

  const checks = new CachedProbe(async () => {
    const entries = await Promise.all(
      Object.entries(probes).map(async ([name, probe]) => [name, await probe()] as const),
    );
    return Object.fromEntries(entries);
  }, settings.healthCacheMs);
  const breakers = optional<() => ConnectionBreakerReport[]>(app, CONNECTION_BREAKER_STATES);
  const readiness = async () => readinessOf(await checks.get(), draining, breakers?.());

  if (service === 'projector' && pool) registerEngineGauges(pool);
  if (service === 'agent' && jetstream) {
    const wanted = readAgentSettings().connections;
    const roleModel = optional<RoleModel>(app, ROLE_MODEL);
    const connections = (roleModel?.connections() ?? [])
      .filter((c) => c.fulfillment === 'automatic' && (!wanted || wanted.includes(c.id)))
      .map((c) => c.id);
    registerConsumerGauges(() => jetstream.get(), connections);
  }
  if (settings.healthPort > 0) {
    await startOpsListener({
      host: settings.healthHost,
      port: settings.healthPort,
      readiness,
      logger: options.logger,
    });
  }
  return { readiness };
}
