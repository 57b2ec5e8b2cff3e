import { useState } from 'react';
import { formatManualOrders } from '@prov/contracts/csv';
import { ProvisioningState } from '@prov/domain';
import { post, query } from '../api/client';
import type { Order } from '../api/types';
import { DecisionPanel, QueueNotices } from '../components/DecisionPanel';
import { ListStates } from '../components/Alert';
import { Field } from '../components/Field';
import { OrdersTable } from '../components/OrdersTable';
import { PageHeader } from '../components/PageHeader';
import { NO_FILTER, type QueueFilter, QueueFilters } from '../components/QueueFilters';
import { downloadText } from '../format';
import { useConnections, useEntitlements } from '../hooks/use-catalog';
import type { OrderAction } from '../hooks/use-order-actions';
import { useOrderQueue } from '../hooks/use-order-queue';

const transmitted = (order: Order) => order.provisioningStateCode === ProvisioningState.Transmitted;

/**
 * The orders as a CSV file for the people who carry them out (what is shown, or the selection),
 * in the columns of the gateway's own export (`GET /api/manual/orders.csv`).
 */
export function manualOrdersCsv(orders: Order[]): string {
  return formatManualOrders(orders, { quoteAll: true });
}

/** Manual provisioning: what operators must do by hand; they confirm it, or report what failed. */
export function ManualPage() {
  const [filter, setFilter] = useState<QueueFilter>(NO_FILTER);
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState('');
  const [problemError, setProblemError] = useState<string | undefined>();
  const connections = useConnections();
  const entitlements = useEntitlements();
  const { loading, orders, selection, selected, busy, perform, notices } = useOrderQueue(
    `/manual/orders${query({ ...filter })}`,
  );

  const confirm: OrderAction = {
    key: 'confirm',
    label: 'Confirm done',
    done: 'confirmed',
    applies: transmitted,
    run: (order) =>
      post(`/manual/orders/${encodeURIComponent(order.orderId)}/confirm`, {
        comment: comment.trim() || undefined,
      }),
  };
  const reportError: OrderAction = {
    key: 'report-error',
    label: 'Report an error',
    done: 'reported as failed',
    applies: transmitted,
    run: (order) =>
      post(`/manual/orders/${encodeURIComponent(order.orderId)}/report-error`, {
        error: problem.trim(),
        comment: comment.trim() || undefined,
      }),
  };

  const run = (action: OrderAction, targets: Order[]) => {
    if (action === reportError && !problem.trim()) {
      setProblemError('Describe what went wrong before reporting an error.');
      document.getElementById('manual-problem')?.focus();
      return;
    }
    setProblemError(undefined);
    void perform(action, targets);
  };

  const exportCsv = () => {
    const rows = selected.length ? selected : orders;
    downloadText(
      `manual-orders-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`,
      manualOrdersCsv(rows),
    );
  };

  return (
    <>
      <PageHeader
        title="Manual provisioning"
        description="Orders transmitted to operators. Do the change in the managed system, then confirm it here or report what went wrong."
      >
        <button type="button" className="button secondary" onClick={exportCsv} disabled={orders.length === 0}>
          Export CSV{selected.length ? ` (${selected.length} selected)` : ''}
        </button>
      </PageHeader>
      <QueueFilters
        idPrefix="manual"
        connections={(connections.data ?? []).filter((c) => c.fulfillment === 'manual')}
        entitlements={(entitlements.data ?? []).filter((e) => e.fulfillment === 'manual')}
        value={filter}
        onChange={setFilter}
      />
      <QueueNotices {...notices} />
      <DecisionPanel
        headingId="manual-decision-heading"
        title="Feedback"
        label="Feedback on the selected orders"
        hint="Select orders to give feedback on several at once."
        selectedCount={selected.length}
        comment={{
          id: 'manual-comment',
          hint: 'Recorded with the confirmation or the error.',
          value: comment,
          onChange: setComment,
        }}
        fields={
          <Field
            id="manual-problem"
            label="What went wrong"
            error={problemError}
            hint="Needed to report an error."
          >
            {(props) => (
              <textarea
                {...props}
                rows={2}
                value={problem}
                onChange={(e) => {
                  setProblem(e.target.value);
                  setProblemError(undefined);
                }}
              />
            )}
          </Field>
        }
      >
        <button
          type="button"
          className="button primary"
          disabled={!selected.length || busy !== null}
          onClick={() => run(confirm, selected)}
        >
          {busy === 'confirm' ? 'Confirming…' : `Confirm selected (${selected.length})`}
        </button>
        <button
          type="button"
          className="button danger"
          disabled={!selected.length || busy !== null}
          onClick={() => run(reportError, selected)}
        >
          {busy === 'report-error' ? 'Reporting…' : `Report error on selected (${selected.length})`}
        </button>
      </DecisionPanel>
      <ListStates
        loading={loading}
        what="the operators' queue"
        isEmpty={orders.length === 0}
        empty={
          <>
            No order waits for an operator{Object.values(filter).some(Boolean) ? ' with these filters' : ''}.
          </>
        }
      >
        {() => (
          <OrdersTable
            caption="Orders transmitted to operators"
            orders={orders}
            columns={['identity', 'entitlement', 'connection', 'change', 'changes', 'updated']}
            selection={selection}
            actions={(order) => (
              <>
                <button
                  type="button"
                  className="button small primary"
                  disabled={busy !== null}
                  onClick={() => run(confirm, [order])}
                >
                  Confirm
                  <span className="visually-hidden">
                    {' '}
                    {order.entitlementId} for {order.identityId}
                  </span>
                </button>
                <button
                  type="button"
                  className="button small secondary"
                  disabled={busy !== null}
                  onClick={() => run(reportError, [order])}
                >
                  Report error
                  <span className="visually-hidden">
                    {' '}
                    on {order.entitlementId} for {order.identityId}
                  </span>
                </button>
              </>
            )}
          />
        )}
      </ListStates>
    </>
  );
}
