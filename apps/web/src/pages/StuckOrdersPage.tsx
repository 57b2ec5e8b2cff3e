import { get } from '../api/client';
import { Alert, ListStates } from '../components/Alert';
import { PageHeader } from '../components/PageHeader';
import { DataTable } from '../components/DataTable';
import { shortId } from '../format';
import { useApiQuery } from '../hooks/use-api-query';

interface StuckOrder {
  orderId: string;
  identityId: string;
  entitlementId: string;
  connectionId: string | null;
  state: string;
  reason: string;
  why: string;
  inStateMs: number;
  overdueMs: number;
}
interface StuckOrders {
  count: number;
  byReason: Record<string, number>;
  orders: StuckOrder[];
}

function hours(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 48
    ? `${Math.round(h / 24)} d`
    : h >= 1
      ? `${Math.round(h)} h`
      : `${Math.max(1, Math.round(ms / 60_000))} min`;
}

/** Orders past their state's service level, most overdue first, with what they wait for. */
export function StuckOrdersPage() {
  const stuck = useApiQuery(['/orders/stuck'], (signal) => get<StuckOrders>('/orders/stuck', signal));
  const data = stuck.data;
  const orders = data?.orders ?? [];
  return (
    <>
      <PageHeader
        title="Stuck orders"
        description="Open orders that have been in their state longer than its service level (STUCK_AFTER_* settings)."
      />
      <section className="panel" aria-labelledby="stuck-heading">
        <h2 id="stuck-heading">{data ? `${data.count} stuck` : 'Stuck orders'}</h2>
        <Alert error={stuck.error} />
        {data && (
          <p className="muted small">
            {Object.entries(data.byReason)
              .filter(([, n]) => n > 0)
              .map(([reason, n]) => `${reason}: ${n}`)
              .join(' · ') || 'Nothing is waiting past its service level.'}
          </p>
        )}
        <ListStates
          loading={stuck.loading}
          what="stuck orders"
          isEmpty={orders.length === 0}
          empty="No order is stuck."
        >
          {() => (
            <DataTable
              caption="Stuck orders, most overdue first"
              columns={['Order', 'Identity / entitlement', 'State', 'For', 'Overdue by', 'Why']}
            >
              {orders.map((o) => (
                <tr key={o.orderId}>
                  <td title={o.orderId}>{shortId(o.orderId)}</td>
                  <td>{`${o.identityId} / ${o.entitlementId}`}</td>
                  <td>{o.state}</td>
                  <td>{hours(o.inStateMs)}</td>
                  <td>{hours(o.overdueMs)}</td>
                  <td>{o.why}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </ListStates>
        <button type="button" className="button secondary" onClick={stuck.reload}>
          Refresh
        </button>
      </section>
    </>
  );
}
