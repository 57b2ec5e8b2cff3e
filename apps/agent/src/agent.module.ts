import { Module } from '@nestjs/common';
import { NatsConnectionProvider, PlatformModule, serviceMessagingModule } from '@prov/platform';
import { AgentHandler } from './agent.handler';
import { ConnectorPool } from './connector-pool';
import { OrderWorker } from './order-worker';
import { GeneratedPasswords, passwordDeliveryProvider } from './passwords/generated-passwords';

/** Collects the orders of its connections, applies them through connectors, runs synchronization. */
@Module({
  imports: [PlatformModule.forRoot({ service: 'agent' }), serviceMessagingModule('agent')],
  controllers: [AgentHandler],
  providers: [NatsConnectionProvider, ConnectorPool, OrderWorker, GeneratedPasswords, passwordDeliveryProvider],
})
export class AgentModule {}
