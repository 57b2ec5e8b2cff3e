import { type Assignment, currentOrder, type ProvisioningStateCode, stateName } from '@prov/domain';

/** How the API shows a provisioning state: `{ provisioningState: 'Pending', provisioningStateCode: 1 }`. */
export function stateView(code: number) {
  return { provisioningState: stateName(code as ProvisioningStateCode), provisioningStateCode: code };
}

export interface OrderRow {
  order_id: string;
  assignment_id: string;
  identity_id: string;
  entitlement_id: string;
  connection_id: string | null;
  resource_type_id: string | null;
  fulfillment: string | null;
  change_type: string | null;
  changes: Record<string, unknown>;
  provisioning_state_code: number;
  attempt: number;
  last_error: string | null;
  is_open: boolean;
  generated_at: Date;
  updated_at: Date;
  postponed_until?: Date | null;
}

export interface OrderView {
  orderId: string;
  assignmentId: string;
  identityId: string;
  entitlementId: string;
  connectionId: string | null;
  resourceTypeId: string | null;
  fulfillment: string | null;
  changeType: string | null;
  changes: Record<string, unknown>;
  provisioningState: string;
  provisioningStateCode: number;
  attempt: number;
  lastError?: string;
  open: boolean;
  updatedAt: string;
  /** Set while a reviewer's postponement holds the order out of the review queue (until then). */
  postponedUntil?: string;
}

export function toOrderView(row: OrderRow): OrderView {
  return {
    orderId: row.order_id,
    assignmentId: row.assignment_id,
    identityId: row.identity_id,
    entitlementId: row.entitlement_id,
    connectionId: row.connection_id,
    resourceTypeId: row.resource_type_id,
    fulfillment: row.fulfillment,
    changeType: row.change_type,
    changes: row.changes,
    ...stateView(row.provisioning_state_code),
    attempt: row.attempt,
    ...(row.last_error ? { lastError: row.last_error } : {}),
    open: row.is_open,
    updatedAt: new Date(row.updated_at).toISOString(),
    ...(row.postponed_until ? { postponedUntil: new Date(row.postponed_until).toISOString() } : {}),
  };
}

export interface AssignmentView {
  assignmentId: string;
  identityId: string;
  entitlementId: string;
  workflowState: string;
  startsAt?: string;
  endsAt?: string;
  requestedAt: string;
  /** Who requested it: a person, or `rule:<id>` for a birthright rule. */
  requestedBy?: string;
  provisioningState: string;
  provisioningStateCode: number;
  currentOrder: {
    orderId: string;
    changeType: string | null;
    provisioningState: string;
    provisioningStateCode: number;
    attempt: number;
    lastError?: string;
  } | null;
  revision: number;
}

export function toAssignmentView(state: Assignment, revision: string | number): AssignmentView {
  const order = currentOrder(state);
  return {
    assignmentId: state.assignmentId,
    identityId: state.identityId,
    entitlementId: state.entitlementId,
    workflowState: state.workflowState,
    ...(state.startsAt ? { startsAt: state.startsAt } : {}),
    ...(state.endsAt ? { endsAt: state.endsAt } : {}),
    requestedAt: state.requestedAt,
    ...(state.requestedBy ? { requestedBy: state.requestedBy } : {}),
    ...stateView(order?.stateCode ?? 0),
    currentOrder: order
      ? {
          orderId: order.orderId,
          changeType: order.changeType ?? null,
          ...stateView(order.stateCode),
          attempt: order.attempt,
          ...(order.lastError ? { lastError: order.lastError } : {}),
        }
      : null,
    revision: Number(revision),
  };
}

/** What every view of an identity row starts with: its profile and status. */
export function identityProfile(row: Record<string, unknown>) {
  return {
    id: row.identity_id as string,
    login: row.login as string,
    firstName: row.first_name as string,
    lastName: row.last_name as string,
    email: row.email as string,
    ...(row.department ? { department: row.department as string } : {}),
    attributes: (row.attributes ?? {}) as Record<string, unknown>,
    active: row.active !== false,
  };
}

export function toIdentityView(row: Record<string, unknown>) {
  return {
    ...identityProfile(row),
    ...(row.deactivated_at ? { deactivatedAt: new Date(row.deactivated_at as string).toISOString() } : {}),
    ...(row.deactivation_scheduled_at
      ? { deactivationScheduledAt: new Date(row.deactivation_scheduled_at as string).toISOString() }
      : {}),
    /** By entitlement: the one assignment giving it and who holds it (`request`, `rule:<id>`). */
    holdings: (row.holdings ?? {}) as Record<string, { assignmentId: string; holders: string[] }>,
  };
}

export function toJobView(row: Record<string, unknown>) {
  return {
    jobId: row.job_id as string,
    kind: row.kind as string,
    status: row.status as string,
    trigger: row.trigger as string,
    startedBy: (row.started_by as string | null) ?? undefined,
    tasks: row.tasks,
    startedAt: new Date(row.started_at as string).toISOString(),
    endedAt: row.ended_at ? new Date(row.ended_at as string).toISOString() : undefined,
    error: (row.error as string | null) ?? undefined,
  };
}

/** An identity's profile with its stream revision and times, without holdings. */
export interface IdentityRecord {
  id: string;
  login: string;
  firstName: string;
  lastName: string;
  email: string;
  department?: string;
  attributes: Record<string, unknown>;
  active: boolean;
  registeredAt: string;
  updatedAt: string;
  revision: number;
}

export function toIdentityRecord(row: Record<string, unknown>): IdentityRecord {
  return {
    ...identityProfile(row),
    registeredAt: new Date(row.registered_at as string).toISOString(),
    updatedAt: new Date(row.updated_at as string).toISOString(),
    revision: Number(row.revision),
  };
}
