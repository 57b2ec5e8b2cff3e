import { useMutation } from '@tanstack/react-query';
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
  const [problem, setProblem] = useState<string | undefined>();
  // `cursor` asks for the holders after those shown, which are kept.
  const read = useMutation({
    mutationFn: async ({ iso, cursor }: { iso: string; cursor?: string }): Promise<Result> => {
      if (subject === 'identity') {
        const rows = await get<Permission[]>(
          `/identities/${encodeURIComponent(id.trim())}/permissions${query({ asOf: iso })}`,
        );
        return { kind: 'permissions', instant: iso, rows };
      }
      const page = await getPage<Assignment>(
        `/entitlements/${encodeURIComponent(id.trim())}/holders${query({ asOf: iso, limit: 100, cursor })}`,
      );
      return { kind: 'holders', instant: iso, entitlementId: id.trim(), rows: page.items, next: page.next };
    },
    onSuccess: (next, { cursor }) =>
      setResult((previous) =>
        cursor && previous?.kind === 'holders' && next.kind === 'holders'
          ? { ...next, rows: [...previous.rows, ...next.rows] }
          : next,
      ),
    onError: () => setResult(null),
  });
  const busy = read.isPending;

  const load = (cursor?: string) => {
    const iso = localInputToIso(instant);
    setProblem(!id.trim() ? `Enter the ${subject} id.` : !iso ? 'Enter a date and time.' : undefined);
    if (!id.trim() || !iso) return;
    read.mutate({ iso, cursor });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    load();
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
      <Alert error={read.error} />
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
            onClick={() => load(result.next!)}
          >
            More holders
          </button>
        )}
      </div>
    </section>
  );
}
