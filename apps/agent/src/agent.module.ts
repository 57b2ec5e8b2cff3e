import { Module } from '@nestjs/common';
import {
  CONNECTION_BREAKER_STATES,
  NatsConnectionProvider,
  PlatformModule,
  serviceMessagingModule,
} from '@prov/platform';
import { AgentHandler } from './agent.handler';
import { ConnectionBreakers } from './breaker/connection-breakers';
import { ConnectorPool } from './connector-pool';
import { OrderWorker } from './order-worker';
import { GeneratedPasswords, passwordDeliveryProvider } from './passwords/generated-passwords';

/** Collects the orders of its connections, applies them through connectors, runs synchronization. */
@Module({
  imports: [PlatformModule.forRoot({ service: 'agent' }), serviceMessagingModule('agent')],
  controllers: [AgentHandler],
  providers: [
    NatsConnectionProvider,
    ConnectorPool,
    OrderWorker,
    GeneratedPasswords,
    passwordDeliveryProvider,
    // A factory: its settings come from the configuration, not from Nest's injector.
    { provide: ConnectionBreakers, useFactory: () => new ConnectionBreakers() },
    // What the health listener shows (ADR 0024).
    {
      provide: CONNECTION_BREAKER_STATES,
      useFactory: (b: ConnectionBreakers) => () => b.states(),
      inject: [ConnectionBreakers],
    },
  ],
})
export class AgentModule {}
