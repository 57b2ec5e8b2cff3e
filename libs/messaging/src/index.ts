// Commands (request/reply over NATS, NestJS) and provisioning orders (JetStream work queue).
export * from './subjects';

export * from './errors/command-error-payload';
export * from './errors/command-error';
export * from './errors/error-status-mapping';
export * from './errors/command-exception.filter';
export * from './validation/nats-validation-pipe';
export * from './validation/compiled-validation';
export * from './validation/compiled-validation-pipe';
export * from './validation/payload-inspection';
export * from './validation/command-packet';

export * from './client/messaging-options';
export * from './client/wire-error';
export * from './client/command-client';
export * from './client/messaging.module';
export * from './server/command-microservice';
export * from './server/command-server';

export * from './signing';
export * from './bus/bus-connection';
export * from './bus/nats-permissions';

export * from './jetstream';
export * from './retries';
export * from './tracing/trace-propagation';
