import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { readHardeningSettings } from '@prov/config';
import { NatsConnectionProvider, PlatformModule, serviceMessagingModule } from '@prov/platform';
import { RoleModelVersionReader } from './role-model/role-model-versions';
import { AssignmentAsOf } from './assignments/assignment-as-of';
import { RoleModelPreviewService } from './role-model/role-model-preview.service';
import { stuckOrderSettingsProvider } from './orders/stuck-orders.controller';
import { ApiTokenGuard } from './auth/api-token.guard';
import { AuthModule } from './auth/auth.module';
import { EdgeThrottlerGuard, throttlerModule } from './hardening/rate-limits';
import { readModelQueriesProvider } from './read-models.provider';
import { OrderDecisions } from './review/order-decisions';
import { ScimDirectory } from './scim/scim-directory';
import { WebModule } from './web/web.module';
import { GATEWAY_CONTROLLERS } from './gateway-controllers';
import { CreateCommands } from './http/create-command';

/** The HTTP API: authentication and roles, reads from the read models, commands over NATS. */
@Module({
  imports: [
    PlatformModule.forRoot({ service: 'gateway' }),
    serviceMessagingModule('gateway'),
    AuthModule,
    WebModule,
    throttlerModule(readHardeningSettings()),
  ],
  controllers: GATEWAY_CONTROLLERS,
  providers: [
    readModelQueriesProvider,
    NatsConnectionProvider,
    OrderDecisions,
    AssignmentAsOf,
    ScimDirectory,
    CreateCommands,
    RoleModelVersionReader,
    RoleModelPreviewService,
    stuckOrderSettingsProvider,
    ApiTokenGuard,
    // In this order: rate limits count sign-in attempts before the token is checked.
    { provide: APP_GUARD, useClass: EdgeThrottlerGuard },
    { provide: APP_GUARD, useExisting: ApiTokenGuard },
  ],
})
export class GatewayModule {}
