import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, query } from '../api/client';
import { Alert, Empty } from '../components/Alert';
import { Field } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { DataTable } from '../components/DataTable';
import { shortId } from '../format';

type Counts = { added: number; modified: number; deleted: number };
interface PreviewOrder {
  identityId: string;
  entitlementId: string;
  assignmentId?: string;
  reason: string;
  changeType?: string;
  connectionId?: string;
  changes?: { accountKey?: string; group?: string };
  error?: string;
  alsoUnderCurrentModel: boolean;
}
interface Preview {
  currentVersion: string;
  candidateVersion: string;
  total: number;
  summary: {
    identities: number;
    assignments: number;
    orders: Counts & { failing: number };
    byConnection: Array<{ connectionId: string; accounts: Counts; memberships: Counts }>;
  };
  orders: PreviewOrder[];
  next: string | null;
}

/** What-if: paste a candidate role model, see the orders it would produce; nothing is written. */
export function RoleModelPreviewPage() {
  const [yaml, setYaml] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  // `cursor` asks for the orders after those shown, which are kept.
  const compute = useMutation({
    mutationFn: (cursor: string | undefined) =>
      api<Preview>('POST', `/role-model/preview${query({ limit: 200, cursor })}`, { body: { yaml } }),
    onSuccess: (page, cursor) =>
      setPreview((previous) =>
        cursor && previous ? { ...page, orders: [...previous.orders, ...page.orders] } : page,
      ),
    onError: () => setPreview(null),
  });
  const busy = compute.isPending;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    compute.mutate(undefined);
  };

  return (
    <>
      <PageHeader
        title="What-if"
        description="The orders a candidate role model would produce against today's identities and assignments. Nothing is written: deploying the model is still a change of its file."
      />
      <section className="panel" aria-labelledby="candidate-heading">
        <h2 id="candidate-heading">Candidate role model</h2>
        <form className="form" onSubmit={submit} noValidate>
          <Field id="candidate-yaml" label="Role model (YAML)" required hint="Paste the whole file.">
            {(props) => (
              <textarea
                {...props}
                rows={16}
                spellCheck={false}
                className="code"
                value={yaml}
                onChange={(e) => setYaml(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="button primary" disabled={busy || !yaml.trim()}>
            {busy ? 'Computing…' : 'Preview'}
          </button>
        </form>
        <Alert error={compute.error} />
      </section>
      <div aria-live="polite">
        {preview && (
          <section className="panel" aria-labelledby="preview-heading">
            <h2 id="preview-heading">
              {preview.currentVersion} → {preview.candidateVersion}
            </h2>
            <p className="muted small">
              {preview.summary.identities} identities, {preview.summary.assignments} live assignments:{' '}
              {preview.summary.orders.added} Added, {preview.summary.orders.modified} Modified,{' '}
              {preview.summary.orders.deleted} Deleted, {preview.summary.orders.failing} failing.
            </p>
            {preview.summary.byConnection.length > 0 && (
              <DataTable
                caption="Per connection (accounts / memberships)"
                captionStyle="shown"
                columns={['Connection', 'Accounts added / modified / deleted', 'Memberships added / deleted']}
                className="data-table"
                scroll={false}
              >
                {preview.summary.byConnection.map((c) => (
                  <tr key={c.connectionId}>
                    <td>{c.connectionId}</td>
                    <td>{`${c.accounts.added} / ${c.accounts.modified} / ${c.accounts.deleted}`}</td>
                    <td>{`${c.memberships.added} / ${c.memberships.deleted}`}</td>
                  </tr>
                ))}
              </DataTable>
            )}
            {preview.orders.length === 0 ? (
              <Empty>The candidate would produce no order.</Empty>
            ) : (
              <DataTable
                caption={
                  <>
                    Orders ({preview.orders.length} of {preview.total})
                  </>
                }
                captionStyle="shown"
                columns={['Identity', 'Entitlement', 'Change', 'Connection', 'Why']}
              >
                {preview.orders.map((o, index) => (
                  <tr key={`${o.assignmentId ?? o.identityId}-${o.entitlementId}-${index}`}>
                    <td>{o.identityId}</td>
                    <td title={o.assignmentId}>
                      {o.entitlementId} {o.assignmentId ? `(${shortId(o.assignmentId)})` : '(new)'}
                    </td>
                    <td>{o.changeType ?? 'Error'}</td>
                    <td>{o.connectionId ?? '—'}</td>
                    <td className={o.error ? 'error-text' : undefined}>
                      {o.error ?? o.reason}
                      {o.alsoUnderCurrentModel ? ' (owed under the model in force too)' : ''}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
            {preview.next && (
              <button
                type="button"
                className="button secondary"
                disabled={busy}
                onClick={() => compute.mutate(preview.next!)}
              >
                More orders
              </button>
            )}
          </section>
        )}
      </div>
    </>
  );
}
