import { type ProvisioningStateCode, stateName } from '@prov/domain';

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
