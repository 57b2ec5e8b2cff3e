import { useState } from 'react';
import { post, query } from '../api/client';
import type { Order } from '../api/types';
import { DecisionPanel, QueueNotices } from '../components/DecisionPanel';
import { ListStates } from '../components/Alert';
import { Field } from '../components/Field';
import { OrdersTable } from '../components/OrdersTable';
import { PageHeader } from '../components/PageHeader';
import { NO_FILTER, type QueueFilter, QueueFilters } from '../components/QueueFilters';
import { formatDateTime, localInputToIso } from '../format';
import { useConnections, useEntitlements } from '../hooks/use-catalog';
import type { OrderAction } from '../hooks/use-order-actions';
import { useOrderQueue } from '../hooks/use-order-queue';

const awaiting = (order: Order) => order.provisioningStateCode === 5;
const errored = (order: Order) => order.provisioningStateCode === 3;

/** Provisioning Review: approve, decline or postpone sensitive orders; retry errored ones. */
export function ReviewPage() {
  const [filter, setFilter] = useState<QueueFilter>(NO_FILTER);
  const [comment, setComment] = useState('');
  const [until, setUntil] = useState('');
  // The queue itself, or the orders a reviewer postponed (they come back by themselves).
  const [postponed, setPostponed] = useState(false);
  const connections = useConnections();
  const entitlements = useEntitlements();
  const { loading, orders, selection, selected, busy, perform, notices } = useOrderQueue(
    `/review/orders${query({ ...filter, postponed: postponed ? 'true' : undefined })}`,
  );

  const decide =
    (path: string, extra: Record<string, unknown> = {}) =>
    (order: Order) =>
      post(`/review/orders/${encodeURIComponent(order.orderId)}/${path}`, {
        comment: comment.trim() || undefined,
        ...extra,
      });
  const actions: OrderAction[] = [
    { key: 'approve', label: 'Approve', done: 'approved', applies: awaiting, run: decide('approve') },
    { key: 'decline', label: 'Decline', done: 'declined', applies: awaiting, run: decide('decline') },
    {
      key: 'postpone',
      label: 'Postpone',
      done: 'postponed',
      applies: awaiting,
      run: decide('postpone', { until: localInputToIso(until) }),
    },
    { key: 'retry', label: 'Retry', done: 'retried', applies: errored, run: decide('retry') },
  ];

  return (
    <>
      <PageHeader
        title="Provisioning Review"
        description="Orders waiting for approval (sensitive entitlements) and orders that failed. Decide on one, or select several."
      />
      <QueueFilters
        idPrefix="review"
        connections={connections.data ?? []}
        entitlements={entitlements.data ?? []}
        value={filter}
        onChange={setFilter}
      />
      <div className="field checkbox-field">
        <label htmlFor="review-postponed">
          <input
            id="review-postponed"
            type="checkbox"
            checked={postponed}
            onChange={(e) => setPostponed(e.target.checked)}
          />{' '}
          Show postponed orders (they return to the queue when their date passes)
        </label>
      </div>
      <QueueNotices {...notices} />
      <DecisionPanel
        headingId="decision-heading"
        title="Decision"
        label="Decide on the selected orders"
        hint="Select orders to decide on several at once."
        selectedCount={selected.length}
        comment={{
          id: 'review-comment',
          hint: 'Recorded with every decision you make here.',
          value: comment,
          onChange: setComment,
        }}
        fields={
          <Field id="review-until" label="Postpone until" hint="Optional, for Postpone.">
            {(props) => (
              <input
                {...props}
                type="datetime-local"
                value={until}
                onChange={(e) => setUntil(e.target.value)}
              />
            )}
          </Field>
        }
      >
        {actions.map((action) => {
          const count = selected.filter(action.applies).length;
          return (
            <button
              key={action.key}
              type="button"
              className={`button ${action.key === 'approve' ? 'primary' : action.key === 'decline' ? 'danger' : 'secondary'}`}
              disabled={count === 0 || busy !== null}
              onClick={() => perform(action, selected)}
            >
              {busy === action.key ? `${action.label}…` : `${action.label} selected (${count})`}
            </button>
          );
        })}
      </DecisionPanel>
      <ListStates
        loading={loading}
        what="the review queue"
        isEmpty={orders.length === 0}
        empty={
          <>
            {postponed ? 'No postponed orders' : 'Nothing to review'}
            {Object.values(filter).some(Boolean) ? ' with these filters' : ''}.
          </>
        }
      >
        {() => (
          <OrdersTable
            caption={
              postponed
                ? `Postponed orders, back in the queue on: ${[...new Set(orders.map((o) => formatDateTime(o.postponedUntil)))].join(', ')}`
                : 'Orders awaiting approval and errored orders'
            }
            orders={orders}
            columns={[
              'state',
              'identity',
              'entitlement',
              'connection',
              'change',
              'attempt',
              'error',
              'updated',
            ]}
            selection={selection}
            actions={(order) =>
              actions
                .filter((action) => action.applies(order))
                .map((action) => (
                  <button
                    key={action.key}
                    type="button"
                    className={`button small ${action.key === 'approve' ? 'primary' : 'secondary'}`}
                    disabled={busy !== null}
                    onClick={() => perform(action, [order])}
                  >
                    {action.label}
                    <span className="visually-hidden">
                      {' '}
                      {order.entitlementId} for {order.identityId}
                    </span>
                  </button>
                ))
            }
          />
        )}
      </ListStates>
    </>
  );
}
