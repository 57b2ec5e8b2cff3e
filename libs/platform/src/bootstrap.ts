import type { INestMicroservice } from '@nestjs/common';
import type { IEntryNestModule } from '@nestjs/core/nest-factory';
import { createServiceLogger, readEnvironment } from '@prov/config';
import { createCommandMicroservice } from '@prov/messaging';

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
  const app = await createCommandMicroservice(module, {
    natsUrl: environment.natsUrl,
    service,
    logger,
    filter: { statuses: { ...DOMAIN_ERROR_STATUSES } },
  });
  await app.listen();
  exitAfterGracePeriod(service);
  logger.log({ msg: `${service} service started`, nats: environment.natsUrl });
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
