import { Fragment, useState } from 'react';
import { ProvisioningState } from '@prov/domain';
import type { Assignment, Entitlement } from '../api/types';
import { StateBadge } from '../components/StateBadge';
import { DataTable, DetailRow } from '../components/DataTable';
import { formatDate, formatDateTime, shortId } from '../format';
import { Link } from '../router';
import { toggled } from '../hooks/use-selection';
import { AssignmentHistory } from './AssignmentHistory';

/**
 * The View Permissions tab: each assignment with its provisioning state, its origin (a request
 * or a birthright rule), its current order and its dates; a rule-held one cannot be revoked here; "History" opens the assignment's timeline under its row.
 */
export function PermissionsTable({
  assignments,
  entitlements,
  canRevoke,
  loadedAt,
}: {
  assignments: Assignment[];
  /** When the assignments were read: an end date before then has passed. */
  loadedAt: number;
  entitlements: Map<string, Entitlement>;
  canRevoke: boolean;
}) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) => setOpen((previous) => toggled(previous, id));

  return (
    <DataTable
      caption="Assignments and their provisioning state"
      columns={['Entitlement', 'Provisioning state', 'Origin', 'Order', 'Dates', 'Actions']}
      className="data-table responsive permissions"
    >
      {assignments.map((assignment) => {
        const entitlement = entitlements.get(assignment.entitlementId);
        const order = assignment.currentOrder;
        const historyId = `history-${assignment.assignmentId}`;
        const isOpen = open.has(assignment.assignmentId);
        const revoked = assignment.workflowState !== 'Requested';
        // The end date passed: what was not fulfilled went 6 Inactive, what was is removed by a Deleted order.
        const ended = !!assignment.endsAt && Date.parse(assignment.endsAt) <= loadedAt;
        const removal = ended && order?.changeType === 'Deleted';
        return (
          <Fragment key={assignment.assignmentId}>
            <tr data-assignment-id={assignment.assignmentId} data-entitlement-id={assignment.entitlementId}>
              <th scope="row" data-label="Entitlement">
                <span className="strong">{entitlement?.name ?? assignment.entitlementId}</span>
                <span className="muted small block">
                  {assignment.entitlementId}
                  {revoked && ` · ${assignment.workflowState}`}
                </span>
              </th>
              <td data-label="Provisioning state">
                <StateBadge code={assignment.provisioningStateCode} name={assignment.provisioningState} />
              </td>
              <td data-label="Origin" className="small">
                {(assignment.origin ?? []).map((holder) => (
                  <span key={holder} className="block">
                    {holder.startsWith('rule:') ? `Rule ${holder.slice('rule:'.length)}` : 'Request'}
                  </span>
                ))}
              </td>
              <td data-label="Order">
                {order ? (
                  <>
                    <code title={order.orderId}>{shortId(order.orderId)}</code> {order.changeType ?? ''}
                    {order.attempt > 1 && <span className="muted"> · attempt {order.attempt}</span>}
                    {removal && (
                      <span className="block small" data-removal>
                        {order.provisioningStateCode === ProvisioningState.Verified
                          ? 'access removed (end date passed)'
                          : 'removing access (end date passed)'}
                      </span>
                    )}
                    {order.lastError && <span className="error-text block small">{order.lastError}</span>}
                  </>
                ) : (
                  <span className="muted">no order yet</span>
                )}
              </td>
              <td data-label="Dates" className="small">
                <span className="block">Requested {formatDateTime(assignment.requestedAt)}</span>
                {assignment.startsAt && (
                  <span className="block">Starts {formatDate(assignment.startsAt)}</span>
                )}
                {assignment.endsAt &&
                  (ended ? (
                    <span className="block strong">Ended {formatDateTime(assignment.endsAt)}</span>
                  ) : (
                    <span className="block">Ends {formatDate(assignment.endsAt)}</span>
                  ))}
              </td>
              <td data-label="Actions" className="actions-cell">
                <div className="row-actions">
                  <button
                    type="button"
                    className="button secondary small"
                    aria-expanded={isOpen}
                    aria-controls={historyId}
                    onClick={() => toggle(assignment.assignmentId)}
                  >
                    {isOpen ? 'Hide history' : 'History'}
                    <span className="visually-hidden"> of {assignment.entitlementId}</span>
                  </button>
                  <Link
                    className="button secondary small"
                    to={`/identities/${encodeURIComponent(assignment.identityId)}?tab=why&entitlement=${encodeURIComponent(assignment.entitlementId)}`}
                  >
                    Why<span className="visually-hidden"> {assignment.entitlementId}</span>
                  </Link>
                  {canRevoke && !revoked && !(assignment.origin ?? []).some((h) => h.startsWith('rule:')) && (
                    <Link
                      className="button secondary small"
                      to={`/request?mode=revoke&identity=${encodeURIComponent(assignment.identityId)}&assignment=${assignment.assignmentId}`}
                    >
                      Revoke<span className="visually-hidden"> {assignment.entitlementId}</span>
                    </Link>
                  )}
                </div>
              </td>
            </tr>
            {isOpen && (
              <DetailRow id={historyId} colSpan={6}>
                <h3 className="small-heading">History of {entitlement?.name ?? assignment.entitlementId}</h3>
                <AssignmentHistory
                  assignmentId={assignment.assignmentId}
                  label={`History of ${assignment.entitlementId}`}
                />
                <p className="small">
                  <Link to={`/assignments/${assignment.assignmentId}`}>Explain this assignment</Link> ·{' '}
                  <Link to={`/audit?assignment=${assignment.assignmentId}`}>
                    See this assignment at an earlier instant
                  </Link>
                </p>
              </DetailRow>
            )}
          </Fragment>
        );
      })}
    </DataTable>
  );
}
