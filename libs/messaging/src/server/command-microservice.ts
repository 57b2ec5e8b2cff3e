import { INestMicroservice, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IEntryNestModule } from '@nestjs/core/nest-factory';
import { MicroserviceOptions, NatsOptions, Transport } from '@nestjs/microservices';
import { commandQueueGroup } from '../subjects';
import { CommandExceptionFilter, CommandExceptionFilterOptions } from '../errors/command-exception.filter';
import { natsValidationPipe } from '../validation/nats-validation-pipe';
import { natsServers } from '../client/messaging-options';
import { CommandServer } from './command-server';
import { type BusCredentials, busConnectOptions } from '../bus/bus-connection';
import { CommandSignatureGuard, type CommandVerification } from '../signing/command-signature.guard';

export interface CommandMicroserviceOptions {
  natsUrl: string;
  /** The service's name (`orders`): its queue group is `prov-<service>`. */
  service: string;
  /** The NATS user the service answers commands as (ADR 0010). */
  credentials: BusCredentials;
  /**
   * After unsubscribing on shutdown, how long in-flight handlers get to reply before the
   * connection closes (Nest's `gracePeriod`, default 10 s).
   */
  gracePeriodMs?: number;
  reconnectTimeWaitMs?: number;
}

/**
 * Nest `MicroserviceOptions` for a service that handles commands over NATS:
 * - `queue: 'prov-<service>'`: replicas share the commands, each is handled once (without a
 *   queue group every replica would handle every command);
 * - `gracefulShutdown`: unsubscribe first, let in-flight handlers reply, then close;
 * - reconnect for ever, and wait for the first connection, so a service started before NATS
 *   (or across a NATS restart) comes up instead of crashing.
 */
export function commandMicroserviceOptions(options: CommandMicroserviceOptions): NatsOptions {
  return {
    transport: Transport.NATS,
    options: {
      servers: natsServers(options.natsUrl),
      name: `prov-${options.service}`,
      ...busConnectOptions(options.credentials),
      queue: commandQueueGroup(options.service),
      gracefulShutdown: true,
      gracePeriod: options.gracePeriodMs ?? 10_000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectTimeWaitMs ?? 1000,
      waitOnFirstConnect: true,
    },
  };
}

/**
 * Installs what every command-handling microservice needs: signature verification (a command
 * whose signer is not trusted, or may not send it, is refused before anything else runs), typed
 * errors on the wire and payload validation. Use it directly for a hybrid app (`app.connectMicroservice(...)` returns the
 * microservice to pass here).
 */
export function configureCommandMicroservice<
  T extends Pick<INestMicroservice, 'useGlobalFilters' | 'useGlobalPipes' | 'useGlobalGuards'>,
>(
  microservice: T,
  options: { verification: CommandVerification; filter?: CommandExceptionFilterOptions },
): T {
  microservice.useGlobalFilters(new CommandExceptionFilter(options.filter));
  microservice.useGlobalGuards(new CommandSignatureGuard(options.verification));
  microservice.useGlobalPipes(natsValidationPipe());
  return microservice;
}

export interface CreateCommandMicroserviceOptions extends CommandMicroserviceOptions {
  /** The signers whose commands the service accepts, and who may send what. */
  verification: CommandVerification;
  filter?: CommandExceptionFilterOptions;
  logger?: LoggerService | LogLevel[] | false;
  /** Deepest nesting accepted in a command's data (default 32). */
  maxJsonDepth?: number;
  /** Close on SIGTERM/SIGINT (default true; tests that start many apps turn it off). */
  shutdownHooks?: boolean;
  /**
   * Read when the microservice starts listening: handler patterns to subscribe as these concrete
   * subjects instead (an agent: `prov.cmd.agent.synchronize.*` -> its connections' subjects).
   */
  subjectExpansions?: () => Readonly<Record<string, readonly string[]>>;
}

/**
 * Creates (does not start) a NATS command microservice with the exception filter, the
 * validation pipe and shutdown hooks. Start it with `await app.listen()`.
 *
 * ```ts
 * const app = await createCommandMicroservice(OrdersModule, { natsUrl, service: 'orders', credentials, verification });
 * await app.listen();
 * ```
 */
export async function createCommandMicroservice(
  module: IEntryNestModule,
  options: CreateCommandMicroserviceOptions,
): Promise<INestMicroservice> {
  // The strategy is Nest's NATS server that rejects malformed messages instead of crashing on them.
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    strategy: new CommandServer({
      ...commandMicroserviceOptions(options).options,
      maxJsonDepth: options.maxJsonDepth,
      subjectExpansions: options.subjectExpansions,
    }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  configureCommandMicroservice(app, { verification: options.verification, filter: options.filter });
  if (options.shutdownHooks ?? true) app.enableShutdownHooks();
  return app;
}
