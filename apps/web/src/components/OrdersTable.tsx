import type { ReactNode } from 'react';
import type { Order } from '../api/types';
import { formatDateTime, shortId } from '../format';
import type { Selection } from '../hooks/use-selection';
import { Link } from '../router';
import { StateBadge } from './StateBadge';

export type OrderColumn =
  | 'state'
  | 'identity'
  | 'entitlement'
  | 'connection'
  | 'change'
  | 'attempt'
  | 'changes'
  | 'error'
  | 'updated';

const HEADINGS: Record<OrderColumn, string> = {
  state: 'State',
  identity: 'Identity',
  entitlement: 'Entitlement',
  connection: 'Connection',
  change: 'Change',
  attempt: 'Attempt',
  changes: 'What to write',
  error: 'Last error',
  updated: 'Since',
};

/** The attributes and group an order writes, in one line. */
export function describeChanges(changes: Record<string, unknown>): string {
  return Object.entries(changes ?? {})
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join('; ');
}

function cell(order: Order, column: OrderColumn): ReactNode {
  switch (column) {
    case 'state':
      return <StateBadge code={order.provisioningStateCode} name={order.provisioningState} />;
    case 'identity':
      return <Link to={`/identities/${encodeURIComponent(order.identityId)}`}>{order.identityId}</Link>;
    case 'entitlement':
      return order.entitlementId;
    case 'connection':
      return order.connectionId ?? '—';
    case 'change':
      return order.changeType ?? '—';
    case 'attempt':
      return order.attempt;
    case 'changes':
      return <span className="wrap">{describeChanges(order.changes)}</span>;
    case 'error':
      return order.lastError ? <span className="error-text">{order.lastError}</span> : '—';
    case 'updated':
      return <time dateTime={order.updatedAt}>{formatDateTime(order.updatedAt)}</time>;
  }
}

/**
 * Orders with a checkbox each (and one for all): native checkboxes, so the table is operable
 * with Tab and Space. `actions` renders per-row buttons.
 */
export function OrdersTable({
  caption,
  orders,
  columns,
  selection,
  actions,
}: {
  caption: string;
  orders: Order[];
  columns: OrderColumn[];
  selection: Selection;
  actions?: (order: Order) => ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table className="data-table responsive">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="select-cell">
              <input
                type="checkbox"
                aria-label={
                  selection.allSelected ? 'Clear the selection' : `Select all ${orders.length} orders`
                }
                checked={selection.allSelected}
                ref={(element) => {
                  if (element) element.indeterminate = selection.someSelected;
                }}
                onChange={selection.toggleAll}
              />
            </th>
            <th scope="col">Order</th>
            {columns.map((column) => (
              <th scope="col" key={column}>
                {HEADINGS[column]}
              </th>
            ))}
            {actions && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {orders.map((order) => (
            <tr
              key={order.orderId}
              data-order-id={order.orderId}
              className={selection.isSelected(order.orderId) ? 'selected' : undefined}
            >
              <td className="select-cell">
                <input
                  type="checkbox"
                  aria-label={`Select order ${shortId(order.orderId)} (${order.identityId}, ${order.entitlementId})`}
                  checked={selection.isSelected(order.orderId)}
                  onChange={() => selection.toggle(order.orderId)}
                />
              </td>
              <th scope="row" data-label="Order">
                <code title={order.orderId}>{shortId(order.orderId)}</code>
              </th>
              {columns.map((column) => (
                <td key={column} data-label={HEADINGS[column]}>
                  {cell(order, column)}
                </td>
              ))}
              {actions && (
                <td data-label="Actions" className="actions-cell">
                  <div className="row-actions">{actions(order)}</div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
