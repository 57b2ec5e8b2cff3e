import type { ReactNode } from 'react';
import { Alert } from './Alert';

/**
 * Deciding on several orders of a queue at once: the fields recorded with the decision, then
 * the count of selected orders and one button per decision (`children`).
 */
export function DecisionPanel({
  headingId,
  title,
  fields,
  label,
  hint,
  selectedCount,
  children,
}: {
  headingId: string;
  title: string;
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
      <div className="field-row">{fields}</div>
      <div className="bulk-actions" role="group" aria-label={label}>
        <span className="muted">{selectedCount ? `${selectedCount} selected:` : hint}</span>
        {children}
      </div>
    </section>
  );
}

/** Said when a queue holds more orders than one page shows (the oldest are shown). */
export function MoreOrdersWaiting({ more, shown }: { more: boolean; shown: number }) {
  if (!more) return null;
  return (
    <Alert kind="info">
      More orders are waiting than shown here: these are the {shown} oldest. Narrow the filters, or decide on
      these first.
    </Alert>
  );
}
