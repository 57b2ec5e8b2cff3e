import type { INestMicroservice } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { IEntryNestModule } from '@nestjs/core/nest-factory';
import {
  createServiceLogger,
  jsonLogLine,
  readEnvironment,
  readHardeningSettings,
  readOperationsSettings,
  readServiceConfiguration,
  redactCredentials,
} from '@prov/config';
import { type CommandExceptionFilterOptions, createCommandMicroservice } from '@prov/messaging';
import { isDatabaseUnavailable } from './database-unavailable';
import { startServiceOps } from './ops/service-ops';
import { serviceBus } from './service-bus';
import { startTracing } from './tracing/start-tracing';

/** Domain errors beyond the messaging defaults, with the status callers get for them. */
export const DOMAIN_ERROR_STATUSES = {
  AssignmentWorkflowError: 409,
  EndDateNotPassedError: 409,
  IdentityAlreadyRegisteredError: 409,
  JobStateError: 409,
  JobAlreadyRunningError: 409,
  ReplayAlreadyRunningError: 409,
  DomainError: 409,
} as const;

/**
 * The services' command filter: their domain errors, and the database unreachable, shutting down
 * or its pool exhausted answered 503 with a generic message (the caller may try again), never a
 * 500 and never the driver's text.
 */
export const COMMAND_FILTER: CommandExceptionFilterOptions = {
  statuses: { ...DOMAIN_ERROR_STATUSES },
  unavailable: isDatabaseUnavailable,
};

/**
 * Starts a service as a NATS command microservice with structured logs, typed errors on the
 * wire, payload validation and graceful shutdown on SIGTERM.
 */
export async function startService(
  module: IEntryNestModule,
  service: string,
  options: {
    subjectExpansions?: (app: INestMicroservice) => Readonly<Record<string, readonly string[]>>;
  } = {},
): Promise<INestMicroservice> {
  const environment = readEnvironment();
  const logger = createServiceLogger(service, environment.logLevel);
  const bus = serviceBus(service);
  const expand = options.subjectExpansions;
  // Read at listen(), once the module (and what it knows, e.g. an agent's connections) exists.
  const app: INestMicroservice = await createCommandMicroservice(module, {
    ...(expand ? { subjectExpansions: () => expand(app) } : {}),
    natsUrl: environment.natsUrl,
    service,
    credentials: bus.credentials,
    verification: { keys: bus.keys },
    logger,
    // How long in-flight command handlers get to reply after unsubscribing; Nest waits all of it.
    gracePeriodMs: readOperationsSettings().commandGracePeriodMs,
    filter: COMMAND_FILTER,
    maxJsonDepth: readHardeningSettings().maxJsonDepth,
  });
  await app.listen();
  await startServiceOps(app, service, { logger, commandConnection: () => app.unwrap<NatsConnection>() });
  exitAfterGracePeriod(service);
  announceReady(service, { nats: redactCredentials(environment.natsUrl), identity: bus.settings.identity });
  return app;
}

/**
 * Nest drains on SIGTERM, but draining waits for NATS; with NATS gone it would wait for ever.
 * The grace period (SHUTDOWN_GRACE_MS, default 15 s) bounds the stop: what was not acked by
 * then is redelivered to another instance.
 */
export function exitAfterGracePeriod(service: string): void {
  const graceMs = readOperationsSettings().shutdownGraceMs;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        console.error(jsonLogLine('warn', service, { msg: `still stopping after ${graceMs} ms; exiting` }));
        process.exit(1);
      }, graceMs).unref();
    });
  }
}

/**
 * The one line that says a service is ready, written whatever LOG_LEVEL is: supervisors and the
 * test harness wait for it.
 */
export function announceReady(service: string, details: Record<string, unknown> = {}): void {
  process.stdout.write(`${jsonLogLine('log', service, { msg: `${service} service started`, ...details })}\n`);
}

/**
 * The entry point of every service: validates the configuration before the module is loaded
 * (modules read it while they are defined), so a bad variable ends in one structured line
 * naming it, not in a stack trace.
 */
export function runService(service: string, start: () => Promise<unknown>): void {
  const fail = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(jsonLogLine('fatal', service, { msg: 'start failed', error: redactCredentials(message) }));
    process.exit(1);
  };
  try {
    // The whole schema at once: every wrong variable is named in the one `start failed` line.
    readServiceConfiguration(service);
    installProcessHandlers(service);
    // Without its NATS credentials and command keys a service would only fail later, per command.
    serviceBus(service);
    // Tracing first: what the start itself does (connections, the first commands) is traced too.
    startTracing(service)
      .then(() => start())
      .catch(fail);
  } catch (error) {
    fail(error);
  }
}

function errorLine(level: 'error' | 'fatal', service: string, msg: string, error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error ? error.stack : undefined;
  return jsonLogLine(level, service, {
    msg,
    error: redactCredentials(text),
    ...(stack ? { stack: redactCredentials(stack) } : {}),
  });
}

/**
 * The last line of defence. A rejected promise nobody awaited is a bug in one piece of work
 * (one message, one request): it is logged and the service carries on. An exception that
 * unwound the whole stack leaves the process in an unknown state: it is logged and the process
 * exits with 1, and its supervisor (npm start, systemd, Kubernetes) starts it again.
 */
export function installProcessHandlers(service: string): void {
  process.on('unhandledRejection', (reason) => {
    console.error(
      errorLine('error', service, 'unhandled promise rejection (the service carries on)', reason),
    );
  });
  process.on('uncaughtException', (error) => {
    console.error(errorLine('fatal', service, 'uncaught exception; exiting', error));
    process.exit(1);
  });
}
