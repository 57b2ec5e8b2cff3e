/** What the gateway's HTTP API returns (ARCHITECTURE §6), as far as the console reads it. */

/** `auditor` reads the audit endpoints only (the gateway may not know it yet: it is then never signed in). */
export type Role = 'requester' | 'reviewer' | 'operator' | 'admin' | 'auditor';

export interface Session {
  role: Role;
  actor: string;
  /** A person signed in with the organisation (OpenID Connect), or an API token. */
  kind?: 'person' | 'token';
}

export interface SignInMethods {
  oidc: boolean;
  tokens: boolean;
}

export interface Identity {
  id: string;
  login: string;
  firstName: string;
  lastName: string;
  email: string;
  department?: string;
  attributes: Record<string, unknown>;
  /** False for a leaver (deactivated) until reactivation. */
  active?: boolean;
  deactivatedAt?: string;
}

export interface StateView {
  provisioningState: string;
  provisioningStateCode: number;
}

export interface CurrentOrder extends StateView {
  orderId: string;
  changeType: string | null;
  attempt: number;
  lastError?: string;
}

export interface Assignment extends StateView {
  assignmentId: string;
  /** Who holds it: `request` and/or `rule:<id>` (a birthright rule); only on an identity's permissions. */
  origin?: string[];
  identityId: string;
  entitlementId: string;
  workflowState: string;
  startsAt?: string;
  endsAt?: string;
  requestedAt: string;
  currentOrder: CurrentOrder | null;
  revision: number;
}

export interface HistoryEvent {
  revision: number;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

export interface Order extends StateView {
  orderId: string;
  assignmentId: string;
  identityId: string;
  entitlementId: string;
  connectionId: string | null;
  resourceTypeId: string | null;
  fulfillment: string | null;
  changeType: string | null;
  changes: Record<string, unknown>;
  attempt: number;
  lastError?: string;
  open: boolean;
  updatedAt: string;
  /** While a postponement holds the order out of the review queue. */
  postponedUntil?: string;
}

export interface JobTask {
  name: string;
  status: string;
  startedAt?: string;
  endedAt?: string;
  counts: Record<string, number>;
  errors: string[];
}

export interface Job {
  jobId: string;
  kind: string;
  status: string;
  trigger: string;
  startedBy?: string;
  tasks: JobTask[];
  startedAt: string;
  endedAt?: string;
  error?: string;
}

export interface Entitlement {
  id: string;
  name: string;
  resourceTypeId: string;
  connectionId: string;
  fulfillment: 'automatic' | 'manual';
  requiresProvisioningReview: boolean;
}

export interface Connection {
  id: string;
  name: string;
  connector: string;
  fulfillment: 'automatic' | 'manual';
  health: string;
  lastSynchronization: {
    lastSynchronizedAt: string;
    accounts: number;
    memberships: number;
    verified: number;
    nonConforming: number;
  } | null;
}

export interface ConnectionTestResult {
  ok: boolean;
  message: string;
}

export interface NonConformingResource {
  accountKey: string;
  group?: string;
  /** For kind attribute: the attribute whose value was changed by hand. */
  attribute?: string;
  kind: 'account' | 'membership' | 'attribute';
  /** unexpected: present, nobody asked for it; missing: written, then removed by hand; differing: written, then changed by hand. */
  drift: 'unexpected' | 'missing' | 'differing';
  /** For missing and differing: the assignments it contradicts. */
  assignmentIds?: string[];
  foundAt: string;
}

export interface ReplayStatus {
  replayId: string;
  status: 'Running' | 'Completed' | 'Failed';
  phase: string;
  eventsHandled: number;
  startedAt: string;
  endedAt?: string;
  error?: string;
}

/** The error body every failed call has: `{statusCode, error, code, message, details?}`. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  details?: unknown;
}

/** One expression of the role model as it ran for an identity: its inputs and its value or error. */
export interface ExpressionTrace {
  expression: string;
  inputs: Record<string, unknown>;
  value?: unknown;
  error?: string;
}

export interface AccountTrace {
  entitlementId: string;
  resourceTypeId: string;
  connectionId: string;
  accountRule: ExpressionTrace;
  accountKey: ExpressionTrace;
  attributes: Array<ExpressionTrace & { name: string }>;
  group?: string;
}

export interface RuleTrace extends ExpressionTrace {
  ruleId: string;
  entitlementId: string;
  holds: boolean | null;
}

export interface ConnectorCall {
  operation: string;
  target: string;
  attributes: string[];
  group?: string;
  durationMs: number;
}

/** One step of `GET /api/assignments/:id/explain`, in the order it happened. */
export type ExplanationStep =
  | { kind: 'request'; at: string; by?: string; comment?: string; startsAt?: string; endsAt?: string }
  | { kind: 'rule'; at: string; ruleId: string; rule?: RuleTrace }
  | {
      kind: 'order';
      at: string;
      orderId: string;
      changeType: string;
      state: string;
      origin?: string;
      roleModelVersion?: string;
      account?: AccountTrace;
      error?: string;
    }
  | {
      kind: 'decision';
      at: string;
      orderId: string;
      decision: 'approved' | 'declined' | 'postponed';
      by?: string;
      comment?: string;
    }
  | {
      kind: 'attempt';
      at: string;
      orderId: string;
      attempt: number;
      result: 'executed' | 'errored';
      reportedBy?: string;
      error?: string;
      connectorCall?: ConnectorCall;
    }
  | { kind: 'observation'; at: string; orderId: string; by?: string; synchronization?: string }
  | {
      kind: 'other';
      at: string;
      type: string;
      orderId?: string;
      by?: string;
      detail?: Record<string, unknown>;
    };

export interface AssignmentExplanation {
  assignmentId: string;
  identityId: string;
  entitlementId: string;
  steps: ExplanationStep[];
}

/** `GET /api/identities/:id/explain?entitlement=`: why a person has an entitlement, or why not. */
export interface AccessExplanation {
  identityId: string;
  entitlementId: string;
  has: boolean;
  reasons: Array<{ code: string; message: string }>;
  holders: string[];
  explanation: AssignmentExplanation | null;
}

/** One event of `GET /api/audit/events`, as recorded. */
export interface AuditEvent {
  position: string;
  streamName: string;
  revision: number;
  type: string;
  actor: string | null;
  occurredAt: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

/** A page of the audit log: `next` is the cursor after it; `end` says the log ends here. */
export interface AuditLogPage {
  events: AuditEvent[];
  next: string | null;
  end: boolean;
}
