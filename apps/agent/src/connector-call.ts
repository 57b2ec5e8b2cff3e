import type { ApplyOutcome, OrderToApply } from '@prov/connectors';
import type { ConnectorCall } from '@prov/domain';

const OPERATIONS: Record<OrderToApply['changeType'], ConnectorCall['operation']> = {
  // Connectors converge an existing account instead of failing (docs/architecture.md §5).
  Added: 'create-or-converge',
  Modified: 'modify',
  Deleted: 'delete',
};

/**
 * What the agent reports about one connector call: the operation, the entry (as the connector
 * named it, else the account key on its connection), the attribute names and the duration.
 * Names only, never values: a value may be personal data or a write-only secret.
 */
export function connectorCall(
  order: Pick<OrderToApply, 'changeType' | 'connectionId' | 'changes'>,
  outcome: ApplyOutcome | void,
  durationMs: number,
): ConnectorCall {
  return {
    operation: OPERATIONS[order.changeType],
    // A malformed order (no changes) still gets a report, hence the optional chaining.
    target: outcome?.target ?? `${order.connectionId}:${order.changes?.accountKey ?? '(no account key)'}`,
    attributes: Object.keys(order.changes?.attributes ?? {}).sort(),
    ...(order.changes?.group !== undefined ? { group: order.changes.group } : {}),
    durationMs: Math.max(0, Math.round(durationMs)),
  };
}
