import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { readHardeningSettings } from '@prov/config';
import { NatsConnectionProvider, PlatformModule, serviceMessagingModule } from '@prov/platform';
import { AdminController } from './admin/admin.controller';
import { AuditLogController } from './audit/audit-log.controller';
import { ChainVerificationController } from './audit/chain-verification.controller';
import { ExplainController } from './explain/explain.controller';
import { RoleModelVersionReader } from './role-model/role-model-versions';
import { RoleModelVersionsController } from './role-model/role-model-versions.controller';
import { AssignmentAsOf } from './assignments/assignment-as-of';
import { HoldersController } from './as-of/holders.controller';
import { RoleModelPreviewController } from './role-model/role-model-preview.controller';
import { RoleModelPreviewService } from './role-model/role-model-preview.service';
import { StuckOrdersController, stuckOrderSettingsProvider } from './orders/stuck-orders.controller';
import { AssignmentsController } from './assignments/assignments.controller';
import { ApiTokenGuard } from './auth/api-token.guard';
import { AuthModule } from './auth/auth.module';
import { CatalogController } from './catalog/catalog.controller';
import { ManualSynchronizationController } from './catalog/manual-synchronization.controller';
import { EdgeThrottlerGuard, throttlerModule } from './hardening/rate-limits';
import { IdentitiesController } from './directory/identities.controller';
import { IdentitiesImportController } from './directory/import/identities-import.controller';
import { HealthController } from './health/health.controller';
import { JobsController } from './jobs/jobs.controller';
import { readModelQueriesProvider } from './read-models.provider';
import { ManualController } from './review/manual.controller';
import { ManualCsvController } from './review/manual-csv.controller';
import { OrderDecisions } from './review/order-decisions';
import { ReviewController } from './review/review.controller';
import { ScimController } from './scim/scim.controller';
import { ScimDirectory } from './scim/scim-directory';
import { WebModule } from './web/web.module';

/** The HTTP API: authentication and roles, reads from the read models, commands over NATS. */
@Module({
  imports: [
    PlatformModule.forRoot({ service: 'gateway' }),
    serviceMessagingModule('gateway'),
    AuthModule,
    WebModule,
    throttlerModule(readHardeningSettings()),
  ],
  controllers: [
    HealthController,
    IdentitiesImportController,
    IdentitiesController,
    AssignmentsController,
    ReviewController,
    ManualController,
    ManualCsvController,
    JobsController,
    CatalogController,
    ManualSynchronizationController,
    AdminController,
    AuditLogController,
    ChainVerificationController,
    ScimController,
    RoleModelVersionsController,
    ExplainController,
    HoldersController,
    RoleModelPreviewController,
    StuckOrdersController,
  ],
  providers: [
    readModelQueriesProvider,
    NatsConnectionProvider,
    OrderDecisions,
    AssignmentAsOf,
    ScimDirectory,
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
