import type { ReactNode } from 'react';
import type { ActionOutcome as Outcome } from '../hooks/use-order-actions';
import { ActionOutcome } from './ActionOutcome';
import { Alert } from './Alert';
import { Field } from './Field';

/**
 * Deciding on several orders of a queue at once: the comment and other fields recorded with the
 * decision, then the count of selected orders and one button per decision (`children`).
 */
export function DecisionPanel({
  headingId,
  title,
  comment,
  fields,
  label,
  hint,
  selectedCount,
  children,
}: {
  headingId: string;
  title: string;
  /** The comment recorded with every decision made here. */
  comment: { id: string; hint: string; value: string; onChange(value: string): void };
  /** The decisions' other fields. */
  fields: ReactNode;
  /** The button group's name for screen readers ("Decide on the selected orders"). */
  label: string;
  /** What to do while nothing is selected. */
  hint: string;
  selectedCount: number;
  children: ReactNode;
}) {
  return (
    <section className="decision-panel" aria-labelledby={headingId}>
      <h2 id={headingId} className="small-heading">
        {title}
      </h2>
      <div className="field-row">
        <Field id={comment.id} label="Comment" hint={comment.hint}>
          {(props) => (
            <textarea
              {...props}
              rows={2}
              value={comment.value}
              onChange={(e) => comment.onChange(e.target.value)}
            />
          )}
        </Field>
        {fields}
      </div>
      <div className="bulk-actions" role="group" aria-label={label}>
        <span className="muted">{selectedCount ? `${selectedCount} selected:` : hint}</span>
        {children}
      </div>
    </section>
  );
}

/**
 * What a queue says above its orders: a failed read, more orders waiting than one page shows
 * (the oldest are shown), and the outcome of the last decision.
 */
export function QueueNotices({
  error,
  more,
  shown,
  outcome,
  onDismiss,
}: {
  error: unknown;
  more: boolean;
  shown: number;
  outcome: Outcome | null;
  onDismiss(): void;
}) {
  return (
    <>
      <Alert error={error} />
      {more && (
        <Alert kind="info">
          More orders are waiting than shown here: these are the {shown} oldest. Narrow the filters, or decide
          on these first.
        </Alert>
      )}
      <ActionOutcome outcome={outcome} onDismiss={onDismiss} />
    </>
  );
}
