import { Fragment, useState } from 'react';
import { messageOf } from '../api/messages';
import { post } from '../api/client';
import type { Connection, ConnectionTestResult } from '../api/types';
import { Alert, ListStates } from '../components/Alert';
import { PageHeader } from '../components/PageHeader';
import { StatusBadge } from '../components/StateBadge';
import { DataTable, DetailRow } from '../components/DataTable';
import { formatDateTime } from '../format';
import { useConnections } from '../hooks/use-catalog';
import { useSession } from '../session/session';
import { NonConformingList } from './NonConformingList';

type TestState = { busy: true } | { busy: false; ok: boolean; message: string };

const HEALTH_LABELS: Record<string, string> = {
  synchronized: 'synchronized',
  'never-synchronized': 'never synchronized',
  manual: 'manual (operators)',
};

/** Connections: their health, a test of the credentials, and what does not conform. */
export function ConnectionsPage() {
  const { can } = useSession();
  const connections = useConnections();
  const [tests, setTests] = useState<Record<string, TestState>>({});
  const [open, setOpen] = useState<string | null>(null);

  const test = async (connection: Connection) => {
    setTests((t) => ({ ...t, [connection.id]: { busy: true } }));
    try {
      const result = await post<ConnectionTestResult>(
        `/connections/${encodeURIComponent(connection.id)}/test`,
      );
      setTests((t) => ({ ...t, [connection.id]: { busy: false, ok: result.ok, message: result.message } }));
    } catch (error) {
      setTests((t) => ({ ...t, [connection.id]: { busy: false, ok: false, message: messageOf(error) } }));
    }
  };

  return (
    <>
      <PageHeader
        title="Connections"
        description="The managed systems of the role model: how each is fulfilled, when it was last synchronized, and what was found there that no assignment expects."
      />
      <Alert error={connections.error} />
      <ListStates
        loading={connections.loading}
        what="connections"
        isEmpty={(connections.data ?? []).length === 0}
        empty="The role model has no connection."
      >
        {() => (
          <DataTable
            caption="Connections"
            columns={['Connection', 'Connector', 'Health', 'Last synchronization', 'Actions']}
          >
            {(connections.data ?? []).map((connection) => {
              const result = tests[connection.id];
              const last = connection.lastSynchronization;
              const panelId = `non-conforming-${connection.id}`;
              return (
                <Fragment key={connection.id}>
                  <tr data-connection-id={connection.id}>
                    <th scope="row" data-label="Connection">
                      <span className="strong block">{connection.name}</span>
                      <code className="small">{connection.id}</code>
                    </th>
                    <td data-label="Connector">
                      {connection.connector} · {connection.fulfillment}
                    </td>
                    <td data-label="Health">
                      <StatusBadge status={HEALTH_LABELS[connection.health] ?? connection.health} />
                      {connection.breaker && connection.breaker.state !== 'closed' && (
                        <span className="block small" data-breaker={connection.breaker.state}>
                          <StatusBadge status={`breaker ${connection.breaker.state}`} />{' '}
                          <span className="muted">
                            since {formatDateTime(connection.breaker.since)}
                            {connection.breaker.reason ? `: ${connection.breaker.reason}` : ''}; orders wait
                            Pending
                          </span>
                        </span>
                      )}
                    </td>
                    <td data-label="Last synchronization" className="small">
                      {last ? (
                        <>
                          <span className="block">{formatDateTime(last.lastSynchronizedAt)}</span>
                          <span className="block muted">
                            {last.accounts} accounts, {last.memberships} memberships, {last.verified}{' '}
                            verified,{' '}
                            <span className={last.nonConforming ? 'error-text' : undefined}>
                              {last.nonConforming} non-conforming
                            </span>
                          </span>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td data-label="Actions" className="actions-cell">
                      <div className="row-actions">
                        {can.testConnections && (
                          <button
                            type="button"
                            className="button secondary small"
                            disabled={result?.busy}
                            onClick={() => test(connection)}
                          >
                            {result?.busy ? 'Testing…' : 'Test'}
                            <span className="visually-hidden"> {connection.id}</span>
                          </button>
                        )}
                        <button
                          type="button"
                          className="button secondary small"
                          aria-expanded={open === connection.id}
                          aria-controls={panelId}
                          onClick={() => setOpen(open === connection.id ? null : connection.id)}
                        >
                          Non-conforming
                          <span className="visually-hidden"> resources of {connection.id}</span>
                        </button>
                        <div aria-live="polite" className="test-result">
                          {result && !result.busy && (
                            <span
                              className={result.ok ? 'success-text' : 'error-text'}
                              data-test-ok={String(result.ok)}
                            >
                              {result.ok ? 'Test passed: ' : 'Test failed: '}
                              {result.message}
                            </span>
                          )}
                        </div>
                      </div>
                    </td>
                  </tr>
                  {open === connection.id && (
                    <DetailRow id={panelId} colSpan={5}>
                      <NonConformingList connectionId={connection.id} />
                    </DetailRow>
                  )}
                </Fragment>
              );
            })}
          </DataTable>
        )}
      </ListStates>
    </>
  );
}
