import { type FormEvent, useState } from 'react';
import { get, query } from '../api/client';
import type { Assignment } from '../api/types';
import { Alert } from '../components/Alert';
import { DateTimeField, Field } from '../components/Field';
import { useApiQuery } from '../hooks/use-api-query';
import { StateBadge } from '../components/StateBadge';
import { isoToLocalInput, localInputToIso, shortId } from '../format';

interface Comparison {
  then: Assignment;
  now: Assignment;
  instant: string;
}

function Snapshot({ title, assignment }: { title: string; assignment: Assignment }) {
  const order = assignment.currentOrder;
  return (
    <div className="snapshot" data-snapshot={title}>
      <h3 className="small-heading">{title}</h3>
      <StateBadge code={assignment.provisioningStateCode} name={assignment.provisioningState} />
      <dl className="details compact">
        <dt>Workflow</dt>
        <dd>{assignment.workflowState}</dd>
        <dt>Order</dt>
        <dd>
          {order
            ? `${shortId(order.orderId)} ${order.changeType ?? ''} · attempt ${order.attempt}`
            : 'none yet'}
        </dd>
        {order?.lastError && (
          <>
            <dt>Last error</dt>
            <dd className="error-text">{order.lastError}</dd>
          </>
        )}
        <dt>Events</dt>
        <dd>{assignment.revision + 1}</dd>
      </dl>
    </div>
  );
}

/**
 * An assignment's state as of a chosen instant, folded from its events by the gateway, next to
 * its state now. `preset` fills the form (from a row of the log or a link) and shows at once.
 */
export function AsOfPanel({ preset }: { preset: { assignmentId: string; instant?: string } | null }) {
  const [assignmentId, setAssignmentId] = useState(preset?.assignmentId ?? '');
  const [instant, setInstant] = useState(
    preset?.instant ? isoToLocalInput(preset.instant) : isoToLocalInput(new Date().toISOString()),
  );
  const [exactIso, setExactIso] = useState<string | undefined>(preset?.instant);
  const [errors, setErrors] = useState<{ assignmentId?: string; asOf?: string }>({});
  // What is shown: the preset with an instant at once, else what the form last submitted.
  const [shown, setShown] = useState<{ id: string; iso: string } | null>(
    preset?.instant ? { id: preset.assignmentId, iso: preset.instant } : null,
  );
  const comparison = useApiQuery(
    ['/assignments', shown?.id, 'asOf', shown?.iso],
    async (signal): Promise<Comparison> => {
      const path = `/assignments/${encodeURIComponent(shown!.id)}`;
      const [then, now] = await Promise.all([
        get<Assignment>(`${path}${query({ asOf: shown!.iso })}`, signal),
        get<Assignment>(path, signal),
      ]);
      return { then, now, instant: shown!.iso };
    },
    { enabled: shown !== null, live: shown ? [`assignment-${shown.id}`] : null },
  );
  const result = comparison.error ? null : comparison.data;
  const error = comparison.error;
  const busy = comparison.loading;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const id = assignmentId.trim();
    const iso = exactIso ?? localInputToIso(instant);
    const problems = {
      assignmentId: /^[0-9a-f-]{36}$/i.test(id)
        ? undefined
        : 'Enter the assignment id (a UUID, as in the log or the history).',
      asOf: iso ? undefined : 'Enter a date and time.',
    };
    setErrors(problems);
    if (problems.assignmentId || !iso) return;
    if (shown?.id === id && shown.iso === iso) comparison.reload();
    else setShown({ id, iso });
  };

  return (
    <section className="panel" aria-labelledby="as-of-heading">
      <h2 id="as-of-heading">State as of an instant</h2>
      <p className="muted small">
        The assignment as it was at that moment, rebuilt from its events, beside its state now.
      </p>
      <form className="form inline-form" onSubmit={submit} noValidate>
        <Field id="asof-assignment" label="Assignment" required error={errors.assignmentId}>
          {(props) => (
            <input
              {...props}
              value={assignmentId}
              spellCheck={false}
              onChange={(e) => setAssignmentId(e.target.value)}
            />
          )}
        </Field>
        <DateTimeField
          id="asof-instant"
          label="As of"
          required
          error={errors.asOf}
          hint="Your local time."
          value={instant}
          onChange={(value) => {
            setInstant(value);
            setExactIso(undefined);
          }}
        />
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Loading…' : 'Show state'}
        </button>
      </form>
      <Alert error={error} />
      <div aria-live="polite">
        {result && (
          <div className="snapshots">
            <Snapshot title={`As of ${new Date(result.instant).toLocaleString()}`} assignment={result.then} />
            <Snapshot title="Now" assignment={result.now} />
          </div>
        )}
      </div>
    </section>
  );
}
