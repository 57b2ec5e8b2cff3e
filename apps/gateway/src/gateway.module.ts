import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { readEnvironment } from '@prov/config';
import { MessagingModule } from '@prov/messaging';
import { NatsConnectionProvider, PlatformModule } from '@prov/platform';
import { AdminController } from './admin/admin.controller';
import { AuditLogController } from './audit/audit-log.controller';
import { AssignmentAsOf } from './assignments/assignment-as-of';
import { AssignmentsController } from './assignments/assignments.controller';
import { ApiTokenGuard } from './auth/api-token.guard';
import { AuthModule } from './auth/auth.module';
import { CatalogController } from './catalog/catalog.controller';
import { IdentitiesController } from './directory/identities.controller';
import { HealthController } from './health/health.controller';
import { JobsController } from './jobs/jobs.controller';
import { readModelQueriesProvider } from './read-models.provider';
import { ManualController } from './review/manual.controller';
import { ManualCsvController } from './review/manual-csv.controller';
import { OrderDecisions } from './review/order-decisions';
import { ReviewController } from './review/review.controller';
import { WebModule } from './web/web.module';

/** The HTTP API: authentication and roles, reads from the read models, commands over NATS. */
@Module({
  imports: [
    PlatformModule.forRoot({ service: 'gateway' }),
    MessagingModule.forRoot({ natsUrl: readEnvironment().natsUrl, name: 'gateway', defaultTimeoutMs: readEnvironment().commandTimeoutMs }),
    AuthModule,
    WebModule,
  ],
  controllers: [
    HealthController,
    IdentitiesController,
    AssignmentsController,
    ReviewController,
    ManualController,
    ManualCsvController,
    JobsController,
    CatalogController,
    AdminController,
    AuditLogController,
  ],
  providers: [
    readModelQueriesProvider,
    NatsConnectionProvider,
    OrderDecisions,
    AssignmentAsOf,
    { provide: APP_GUARD, useClass: ApiTokenGuard },
  ],
})
export class GatewayModule {}
