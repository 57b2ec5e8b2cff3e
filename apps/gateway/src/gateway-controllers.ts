// The gateway's controllers, apart from its module: the module reads the configuration when it is
// imported, the OpenAPI tool (tools/api) needs only the routes and their decorators.
import { AdminController } from './admin/admin.controller';
import { AuditLogController } from './audit/audit-log.controller';
import { ChainVerificationController } from './audit/chain-verification.controller';
import { ExplainController } from './explain/explain.controller';
import { RoleModelVersionsController } from './role-model/role-model-versions.controller';
import { HoldersController } from './as-of/holders.controller';
import { RoleModelPreviewController } from './role-model/role-model-preview.controller';
import { StuckOrdersController } from './orders/stuck-orders.controller';
import { AssignmentsController } from './assignments/assignments.controller';
import { CatalogController } from './catalog/catalog.controller';
import { ManualSynchronizationController } from './catalog/manual-synchronization.controller';
import { IdentitiesController } from './directory/identities.controller';
import { IdentitiesImportController } from './directory/import/identities-import.controller';
import { HealthController } from './health/health.controller';
import { JobsController } from './jobs/jobs.controller';
import { ManualController } from './review/manual.controller';
import { ManualCsvController } from './review/manual-csv.controller';
import { ReviewController } from './review/review.controller';
import { ScimController } from './scim/scim.controller';

export const GATEWAY_CONTROLLERS = [
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
];
