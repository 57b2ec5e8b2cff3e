import { DynamicModule, Module, type Type } from '@nestjs/common';
import { type ClientProxy, ClientsModule, NatsOptions } from '@nestjs/microservices';
import { busConnectOptions } from '../bus/bus-connection';
import { CommandClient } from './command-client';
import { SharedInboxClientNats } from './shared-inbox-client';
import {
  COMMAND_CLIENT_PROXY,
  MESSAGING_OPTIONS,
  MessagingModuleOptions,
  natsServers,
} from './messaging-options';

/**
 * NATS options of the calling side. The client reconnects for ever (a service outlives NATS
 * restarts) but does not wait for the first connection: a command sent while NATS is down
 * should fail fast with 503, not hang until the timeout.
 */
export function commandClientNatsOptions(options: MessagingModuleOptions): NatsOptions['options'] {
  return {
    servers: natsServers(options.natsUrl),
    name: options.name,
    ...busConnectOptions(options.credentials),
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 1000,
    waitOnFirstConnect: false,
  };
}

/**
 * Gives a service a {@link CommandClient}:
 *
 * ```ts
 * @Module({ imports: [MessagingModule.forRoot({ natsUrl, name: 'gateway', credentials, signing })] })
 * export class GatewayModule {}
 * ```
 *
 * The NATS `ClientProxy` is registered through `ClientsModule` under {@link COMMAND_CLIENT_PROXY},
 * so Nest closes it on application shutdown.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    if (!options.name) throw new Error('MessagingModule.forRoot needs a name (the calling service)');
    const clients = ClientsModule.register([
      // Nest's NATS client with every reply on one shared inbox subscription (ADR 0049).
      {
        name: COMMAND_CLIENT_PROXY,
        // Nest types customClass as a ClientProxy of plain string statuses; the NATS client's are richer.
        customClass: SharedInboxClientNats as unknown as Type<ClientProxy>,
        options: commandClientNatsOptions(options),
      },
    ]);
    return {
      module: MessagingModule,
      global: options.global ?? true,
      imports: [clients],
      providers: [{ provide: MESSAGING_OPTIONS, useValue: options }, CommandClient],
      exports: [CommandClient, clients, MESSAGING_OPTIONS],
    };
  }
}
