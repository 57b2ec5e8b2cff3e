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
  logger.log({ msg: `${service} service started`, nats: environment.natsUrl });
  return app;
}
