import { type FormEvent, useState } from 'react';
import { getPage, get, query } from '../api/client';
import type { Assignment } from '../api/types';
import { Alert, Empty } from '../components/Alert';
import { DateTimeField, Field } from '../components/Field';
import { StateBadge } from '../components/StateBadge';
import { DataTable } from '../components/DataTable';
import { isoToLocalInput, localInputToIso, shortId } from '../format';

type Permission = Assignment & { origin: string[] };
type Result =
  | { kind: 'permissions'; instant: string; rows: Permission[] }
  | { kind: 'holders'; instant: string; rows: Assignment[]; next: string | null; entitlementId: string };

/**
 * Any instant: an identity's View Permissions tab, or the holders of an entitlement, as they
 * were at a chosen moment (folded from the events by the gateway).
 */
export function PermissionsAsOfPanel() {
  const [subject, setSubject] = useState<'identity' | 'entitlement'>('identity');
  const [id, setId] = useState('');
  const [instant, setInstant] = useState(isoToLocalInput(new Date().toISOString()));
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const load = async (cursor?: string) => {
    const iso = localInputToIso(instant);
    setProblem(!id.trim() ? `Enter the ${subject} id.` : !iso ? 'Enter a date and time.' : undefined);
    if (!id.trim() || !iso) return;
    setBusy(true);
    setError(null);
    try {
      if (subject === 'identity') {
        const rows = await get<Permission[]>(
          `/identities/${encodeURIComponent(id.trim())}/permissions${query({ asOf: iso })}`,
        );
        setResult({ kind: 'permissions', instant: iso, rows });
      } else {
        const page = await getPage<Assignment>(
          `/entitlements/${encodeURIComponent(id.trim())}/holders${query({ asOf: iso, limit: 100, cursor })}`,
        );
        setResult((previous) => ({
          kind: 'holders',
          instant: iso,
          entitlementId: id.trim(),
          rows: cursor && previous?.kind === 'holders' ? [...previous.rows, ...page.items] : page.items,
          next: page.next,
        }));
      }
    } catch (caught) {
      setResult(null);
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void load();
  };

  return (
    <section className="panel" aria-labelledby="permissions-as-of-heading">
      <h2 id="permissions-as-of-heading">Permissions and holders as of an instant</h2>
      <p className="muted small">
        What a person had, or who had an entitlement, at that moment, rebuilt from the events.
      </p>
      <form className="form inline-form" onSubmit={submit} noValidate>
        <Field id="pasof-subject" label="Show">
          {(props) => (
            <select
              {...props}
              value={subject}
              onChange={(e) => setSubject(e.target.value as 'identity' | 'entitlement')}
            >
              <option value="identity">an identity's permissions</option>
              <option value="entitlement">an entitlement's holders</option>
            </select>
          )}
        </Field>
        <Field
          id="pasof-id"
          label={subject === 'identity' ? 'Identity' : 'Entitlement'}
          required
          error={problem}
        >
          {(props) => (
            <input {...props} value={id} spellCheck={false} onChange={(e) => setId(e.target.value)} />
          )}
        </Field>
        <DateTimeField
          id="pasof-instant"
          label="As of"
          required
          hint="Your local time."
          value={instant}
          onChange={setInstant}
        />
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Loading…' : 'Show'}
        </button>
      </form>
      <Alert error={error} />
      <div aria-live="polite">
        {result && result.rows.length === 0 && (
          <Empty>Nothing at {new Date(result.instant).toLocaleString()}.</Empty>
        )}
        {result && result.rows.length > 0 && (
          <DataTable
            caption={<>As of {new Date(result.instant).toLocaleString()}</>}
            columns={[
              'Assignment',
              result.kind === 'permissions' ? 'Entitlement' : 'Identity',
              'Workflow',
              'Provisioning',
              result.kind === 'permissions' && 'Origin',
            ]}
          >
            {result.rows.map((row) => (
              <tr key={row.assignmentId}>
                <td title={row.assignmentId}>{shortId(row.assignmentId)}</td>
                <td>{result.kind === 'permissions' ? row.entitlementId : row.identityId}</td>
                <td>{row.workflowState}</td>
                <td>
                  <StateBadge code={row.provisioningStateCode} name={row.provisioningState} />
                </td>
                {result.kind === 'permissions' && <td>{(row as Permission).origin.join(', ')}</td>}
              </tr>
            ))}
          </DataTable>
        )}
        {result?.kind === 'holders' && result.next && (
          <button
            type="button"
            className="button secondary"
            disabled={busy}
            onClick={() => void load(result.next!)}
          >
            More holders
          </button>
        )}
      </div>
    </section>
  );
}
