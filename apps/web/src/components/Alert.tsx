import type { ReactNode } from 'react';
import { messageOf } from '../api/messages';

/**
 * A message for people. Errors are announced at once (role="alert"); notices politely
 * (role="status"). An error from the API shows its plain-language message, never its body.
 */
export function Alert({
  error,
  children,
  kind = 'error',
  onDismiss,
}: {
  error?: unknown;
  children?: ReactNode;
  kind?: 'error' | 'success' | 'info';
  onDismiss?: () => void;
}) {
  if (!error && !children) return null;
  const text = children ?? messageOf(error);
  return (
    <div className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <span className="alert-text">{text}</span>
      {onDismiss && (
        <button type="button" className="button-link" onClick={onDismiss} aria-label="Dismiss message">
          ×
        </button>
      )}
    </div>
  );
}

/** The loading line of a section, announced to screen readers. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** Shown when a list is empty: says so instead of showing an empty table. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/**
 * A list read from the API in its three states: loading (until the first answer), empty (says
 * so instead of showing an empty table), or the list itself, built only once there is one.
 */
export function ListStates({
  loading,
  what,
  isEmpty,
  empty,
  children,
}: {
  loading: boolean;
  /** What is loading: "Loading {what}…". */
  what: string;
  isEmpty: boolean;
  empty: ReactNode;
  children: () => ReactNode;
}) {
  if (loading) return <Loading what={what} />;
  if (isEmpty) return <Empty>{empty}</Empty>;
  return children();
}
