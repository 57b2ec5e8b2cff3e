import type { INestMicroservice } from '@nestjs/common';
import type { IEntryNestModule } from '@nestjs/core/nest-factory';
import { createServiceLogger, readEnvironment } from '@prov/config';
import { createCommandMicroservice } from '@prov/messaging';
import { serviceBus } from './service-bus';

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
 * Starts a service as a NATS command microservice with structured logs, typed errors on the
 * wire, payload validation and graceful shutdown on SIGTERM.
 */
export async function startService(module: IEntryNestModule, service: string): Promise<INestMicroservice> {
  const environment = readEnvironment();
  const logger = createServiceLogger(service, environment.logLevel);
  const bus = serviceBus(service);
  const app = await createCommandMicroservice(module, {
    natsUrl: environment.natsUrl,
    service,
    credentials: bus.credentials,
    verification: { keys: bus.keys },
    logger,
    // How long in-flight command handlers get to reply after unsubscribing; Nest waits all of it.
    gracePeriodMs: Number(process.env.COMMAND_GRACE_PERIOD_MS ?? 1000),
    filter: { statuses: { ...DOMAIN_ERROR_STATUSES } },
  });
  await app.listen();
  exitAfterGracePeriod(service);
  announceReady(service, { nats: environment.natsUrl, identity: bus.settings.identity });
  return app;
}

/**
 * Nest drains on SIGTERM, but draining waits for NATS; with NATS gone it would wait for ever.
 * The grace period (SHUTDOWN_GRACE_MS, default 15 s) bounds the stop: what was not acked by
 * then is redelivered to another instance.
 */
export function exitAfterGracePeriod(service: string): void {
  const graceMs = Number(process.env.SHUTDOWN_GRACE_MS ?? 15_000);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        console.error(JSON.stringify({ level: 'warn', service, msg: `still stopping after ${graceMs} ms; exiting` }));
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
  process.stdout.write(
    `${JSON.stringify({ level: 'log', pid: process.pid, timestamp: Date.now(), message: { msg: `${service} service started`, ...details }, context: service })}\n`,
  );
}

/**
 * The entry point of every service: validates the configuration before the module is loaded
 * (modules read it while they are defined), so a bad variable ends in one structured line
 * naming it, not in a stack trace.
 */
export function runService(service: string, start: () => Promise<unknown>): void {
  const fail = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(JSON.stringify({ level: 'fatal', service, msg: 'start failed', error: message }));
    process.exit(1);
  };
  try {
    readEnvironment();
    // Without its NATS credentials and command keys a service would only fail later, per command.
    serviceBus(service);
    start().catch(fail);
  } catch (error) {
    fail(error);
  }
}
