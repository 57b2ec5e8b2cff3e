import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * What the API answers, as OpenAPI schemas: the read-model views (libs/read-models) and the
 * audit log's entries. Only documentation: the controllers still return the views themselves.
 * The console's types are generated from these (`npm run api:types`), so a field the API adds
 * or drops shows up in the console's typecheck.
 */

const OBJECT = { type: 'object', additionalProperties: true } as const;

export class StateFields {
  @ApiProperty({ example: 'Pending', description: 'one of the nine provisioning state names' })
  provisioningState!: string;

  @ApiProperty({ example: 1, minimum: 0, maximum: 8 })
  provisioningStateCode!: number;
}

export class CurrentOrderView extends StateFields {
  @ApiProperty({ format: 'uuid' })
  orderId!: string;

  @ApiProperty({ type: String, nullable: true, enum: ['Added', 'Modified', 'Deleted'] })
  changeType!: string | null;

  @ApiProperty()
  attempt!: number;

  @ApiPropertyOptional()
  lastError?: string;
}

export class AssignmentView extends StateFields {
  @ApiProperty({ format: 'uuid' })
  assignmentId!: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'who holds it: `request` and/or `rule:<id>` (on permissions)',
  })
  origin?: string[];

  @ApiProperty()
  identityId!: string;

  @ApiProperty()
  entitlementId!: string;

  @ApiProperty({ example: 'Requested' })
  workflowState!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  startsAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  endsAt?: string;

  @ApiProperty({ format: 'date-time' })
  requestedAt!: string;

  @ApiPropertyOptional({ description: 'a person, or `rule:<id>` for a birthright rule' })
  requestedBy?: string;

  @ApiProperty({ type: CurrentOrderView, nullable: true })
  currentOrder!: CurrentOrderView | null;

  @ApiProperty()
  revision!: number;
}

export class HistoryEventView {
  @ApiProperty()
  revision!: number;

  @ApiProperty({ format: 'uuid' })
  eventId!: string;

  @ApiProperty({ example: 'AssignmentRequested' })
  type!: string;

  @ApiProperty(OBJECT)
  data!: Record<string, unknown>;

  @ApiProperty(OBJECT)
  metadata!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  recordedAt!: string;
}

export class IdentityView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  login!: string;

  @ApiProperty()
  firstName!: string;

  @ApiProperty()
  lastName!: string;

  @ApiProperty()
  email!: string;

  @ApiPropertyOptional()
  department?: string;

  @ApiProperty(OBJECT)
  attributes!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'false for a leaver until reactivation' })
  active?: boolean;

  @ApiPropertyOptional({ format: 'date-time' })
  deactivatedAt?: string;
}

export class OrderView extends StateFields {
  @ApiProperty({ format: 'uuid' })
  orderId!: string;

  @ApiProperty({ format: 'uuid' })
  assignmentId!: string;

  @ApiProperty()
  identityId!: string;

  @ApiProperty()
  entitlementId!: string;

  @ApiProperty({ type: String, nullable: true })
  connectionId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  resourceTypeId!: string | null;

  @ApiProperty({ type: String, nullable: true, enum: ['automatic', 'manual'] })
  fulfillment!: string | null;

  @ApiProperty({ type: String, nullable: true, enum: ['Added', 'Modified', 'Deleted'] })
  changeType!: string | null;

  @ApiProperty(OBJECT)
  changes!: Record<string, unknown>;

  @ApiProperty()
  attempt!: number;

  @ApiPropertyOptional()
  lastError?: string;

  @ApiProperty()
  open!: boolean;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'while a postponement holds it out of the review queue',
  })
  postponedUntil?: string;
}

export class JobTaskView {
  @ApiProperty({ example: 'synchronize' })
  name!: string;

  @ApiProperty({ example: 'Completed' })
  status!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  startedAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  endedAt?: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  counts!: Record<string, number>;

  @ApiProperty({ type: [String] })
  errors!: string[];
}

export class JobView {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ example: 'complete' })
  kind!: string;

  @ApiProperty({ example: 'Running' })
  status!: string;

  @ApiProperty({ example: 'manual' })
  trigger!: string;

  @ApiPropertyOptional()
  startedBy?: string;

  @ApiProperty({ type: [JobTaskView] })
  tasks!: JobTaskView[];

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  endedAt?: string;

  @ApiPropertyOptional()
  error?: string;
}

export class EntitlementView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  resourceTypeId!: string;

  @ApiProperty()
  connectionId!: string;

  @ApiProperty({ enum: ['automatic', 'manual'] })
  fulfillment!: 'automatic' | 'manual';

  @ApiProperty()
  requiresProvisioningReview!: boolean;
}

export class LastSynchronizationView {
  @ApiProperty({ format: 'date-time' })
  lastSynchronizedAt!: string;

  @ApiProperty()
  accounts!: number;

  @ApiProperty()
  memberships!: number;

  @ApiProperty()
  verified!: number;

  @ApiProperty()
  nonConforming!: number;
}

/** The circuit breaker of the agent serving a connection (ADR 0024). */
export class ConnectionBreakerView {
  @ApiProperty()
  connectionId!: string;

  @ApiProperty({ enum: ['closed', 'open', 'half-open'] })
  state!: 'closed' | 'open' | 'half-open';

  @ApiPropertyOptional({ description: 'why it opened: the last connection-level failure' })
  reason?: string;

  @ApiProperty({ format: 'date-time' })
  since!: string;

  @ApiProperty({ description: 'orders the agent holds until the target answers' })
  heldOrders!: number;
}

export class ConnectionView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ example: 'ldap' })
  connector!: string;

  @ApiProperty({ enum: ['automatic', 'manual'] })
  fulfillment!: 'automatic' | 'manual';

  @ApiProperty({ example: 'synchronized' })
  health!: string;

  @ApiProperty({ type: LastSynchronizationView, nullable: true })
  lastSynchronization!: LastSynchronizationView | null;

  @ApiPropertyOptional({
    type: ConnectionBreakerView,
    nullable: true,
    description: 'null for a manual connection or when no agent answered for it',
  })
  breaker?: ConnectionBreakerView | null;
}
