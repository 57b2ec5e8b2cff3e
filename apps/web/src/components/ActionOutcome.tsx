import type { ActionOutcome as Outcome } from '../hooks/use-order-actions';

/** The result of a decision on orders: announced politely on success, at once on failure. */
export function ActionOutcome({ outcome, onDismiss }: { outcome: Outcome | null; onDismiss(): void }) {
  return (
    <div aria-live="polite" className="outcome-region">
      {outcome && (
        <div className={`alert alert-${outcome.kind}`} role={outcome.kind === 'error' ? 'alert' : 'status'}>
          <div className="alert-text">
            <p>{outcome.text}</p>
            {outcome.problems.length > 0 && (
              <ul>
                {outcome.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            )}
          </div>
          <button type="button" className="button-link" onClick={onDismiss} aria-label="Dismiss message">
            ×
          </button>
        </div>
      )}
    </div>
  );
}
