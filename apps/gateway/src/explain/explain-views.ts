import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { ConnectorCall } from '@prov/domain';
import { ACCESS_REASON_CODES, type AccessReason } from './why-not';

/*
 * The explain answers as OpenAPI schemas (the console's types are generated from them). They are
 * also the gateway's own types of the answer (explain-assignment.ts), so the function and its
 * description cannot drift apart; the role model's traces (libs/role-model trace.ts) must fit them.
 */

const OBJECT = { type: 'object', additionalProperties: true } as const;
/** Whatever an expression gives or reads: any JSON value. */
const JSON_VALUE = {
  oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: {} }, OBJECT],
  nullable: true,
};

export class ExpressionTraceView {
  @ApiProperty({ example: "lower(givenName + '.' + surname)" })
  expression!: string;

  @ApiProperty({
    ...OBJECT,
    description: 'each attribute the expression reads, with its value (null when absent)',
  })
  inputs!: Record<string, unknown>;

  @ApiPropertyOptional({ ...JSON_VALUE, description: 'the value it gave; absent when it failed' })
  value?: unknown;

  @ApiPropertyOptional({ description: 'why it failed' })
  error?: string;
}

export class AttributeTraceView extends ExpressionTraceView {
  @ApiProperty({ example: 'mail' })
  name!: string;
}

export class AccountTraceView {
  @ApiProperty()
  entitlementId!: string;

  @ApiProperty()
  resourceTypeId!: string;

  @ApiProperty()
  connectionId!: string;

  @ApiProperty({ type: ExpressionTraceView })
  accountRule!: ExpressionTraceView;

  @ApiProperty({ type: ExpressionTraceView })
  accountKey!: ExpressionTraceView;

  @ApiProperty({ type: [AttributeTraceView] })
  attributes!: AttributeTraceView[];

  @ApiPropertyOptional()
  group?: string;
}

export class RuleTraceView extends ExpressionTraceView {
  @ApiProperty()
  ruleId!: string;

  @ApiProperty()
  entitlementId!: string;

  @ApiProperty({ type: Boolean, nullable: true, description: 'null: the rule could not be evaluated' })
  holds!: boolean | null;
}

export class ConnectorCallView implements ConnectorCall {
  @ApiProperty({ enum: ['create-or-converge', 'modify', 'delete'] })
  operation!: ConnectorCall['operation'];

  @ApiProperty({ description: 'the DN, key or URL of the entry written' })
  target!: string;

  @ApiProperty({ type: [String] })
  attributes!: string[];

  @ApiPropertyOptional()
  group?: string;

  @ApiProperty()
  durationMs!: number;
}

class StepView {
  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class RequestStepView extends StepView {
  @ApiProperty({ enum: ['request'] })
  kind!: 'request';

  @ApiPropertyOptional()
  by?: string;

  @ApiPropertyOptional()
  comment?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  startsAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  endsAt?: string;
}

export class RuleStepView extends StepView {
  @ApiProperty({ enum: ['rule'] })
  kind!: 'rule';

  @ApiProperty()
  ruleId!: string;

  @ApiPropertyOptional({ type: RuleTraceView, description: 'the rule as it ran when it granted' })
  rule?: RuleTraceView;
}

class OrderStepBase extends StepView {
  @ApiProperty({ format: 'uuid' })
  orderId!: string;
}

export class OrderStepView extends OrderStepBase {
  @ApiProperty({ enum: ['order'] })
  kind!: 'order';

  @ApiProperty({ example: 'Added' })
  changeType!: string;

  @ApiProperty({ example: 'Pending' })
  state!: string;

  @ApiPropertyOptional()
  origin?: string;

  @ApiPropertyOptional({ description: 'the hash of the role model that generated the order' })
  roleModelVersion?: string;

  @ApiPropertyOptional({
    type: AccountTraceView,
    description:
      'how the role model computed the account, re-run with that version on the identity as it then was',
  })
  account?: AccountTraceView;

  @ApiPropertyOptional()
  error?: string;
}

export class DecisionStepView extends OrderStepBase {
  @ApiProperty({ enum: ['decision'] })
  kind!: 'decision';

  @ApiProperty({ enum: ['approved', 'declined', 'postponed'] })
  decision!: 'approved' | 'declined' | 'postponed';

  @ApiPropertyOptional()
  by?: string;

  @ApiPropertyOptional()
  comment?: string;
}

export class AttemptStepView extends OrderStepBase {
  @ApiProperty({ enum: ['attempt'] })
  kind!: 'attempt';

  @ApiProperty()
  attempt!: number;

  @ApiProperty({ enum: ['executed', 'errored'] })
  result!: 'executed' | 'errored';

  @ApiPropertyOptional()
  reportedBy?: string;

  @ApiPropertyOptional()
  error?: string;

  @ApiPropertyOptional({ type: ConnectorCallView })
  connectorCall?: ConnectorCallView;
}

export class ObservationStepView extends OrderStepBase {
  @ApiProperty({ enum: ['observation'] })
  kind!: 'observation';

  @ApiPropertyOptional()
  by?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the synchronization that observed it' })
  synchronization?: string;
}

export class OtherStepView extends StepView {
  @ApiProperty({ enum: ['other'] })
  kind!: 'other';

  @ApiProperty({ example: 'AssignmentRevoked' })
  type!: string;

  @ApiPropertyOptional({ format: 'uuid' })
  orderId?: string;

  @ApiPropertyOptional()
  by?: string;

  @ApiPropertyOptional({ ...OBJECT, description: 'what else the event says (a reason, a comment, a date)' })
  detail?: Record<string, unknown>;
}

/** One step of the causal chain, told apart by `kind`. */
export type ExplanationStepView =
  | RequestStepView
  | RuleStepView
  | OrderStepView
  | DecisionStepView
  | AttemptStepView
  | ObservationStepView
  | OtherStepView;

/** Registered with the document (the controller's ApiExtraModels): the steps refer to them. */
export const STEP_VIEWS = {
  request: RequestStepView,
  rule: RuleStepView,
  order: OrderStepView,
  decision: DecisionStepView,
  attempt: AttemptStepView,
  observation: ObservationStepView,
  other: OtherStepView,
};

export class AssignmentExplanationView {
  @ApiProperty({ format: 'uuid' })
  assignmentId!: string;

  @ApiProperty()
  identityId!: string;

  @ApiProperty()
  entitlementId!: string;

  @ApiProperty({
    type: 'array',
    description: 'the request or rule, orders, decisions, attempts, observations: in the order they happened',
    items: {
      oneOf: Object.values(STEP_VIEWS).map((view) => ({ $ref: getSchemaPath(view) })),
      discriminator: {
        propertyName: 'kind',
        mapping: Object.fromEntries(
          Object.entries(STEP_VIEWS).map(([kind, view]) => [kind, getSchemaPath(view)]),
        ),
      },
    },
  })
  steps!: ExplanationStepView[];
}

export class AccessReasonView implements AccessReason {
  @ApiProperty({ enum: ACCESS_REASON_CODES })
  code!: AccessReason['code'];

  @ApiProperty()
  message!: string;
}

/** `GET /api/identities/:id/explain?entitlement=`: why a person has an entitlement, or why not. */
export class AccessExplanationView {
  @ApiProperty()
  identityId!: string;

  @ApiProperty()
  entitlementId!: string;

  @ApiProperty({
    description: 'true when the access is written in the managed system (Executed or Verified)',
  })
  has!: boolean;

  @ApiProperty({ type: [AccessReasonView] })
  reasons!: AccessReasonView[];

  @ApiProperty({ type: [String], description: 'who holds it: `request` and/or `rule:<id>`' })
  holders!: string[];

  @ApiProperty({ type: AssignmentExplanationView, nullable: true })
  explanation!: AssignmentExplanationView | null;
}
