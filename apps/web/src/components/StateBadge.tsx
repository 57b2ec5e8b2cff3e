import { stateMeaning, stateTone } from '../api/states';

/** A provisioning state as a labelled badge: code and name in text, colour as a second signal. */
export function StateBadge({ code, name }: { code: number; name: string }) {
  return (
    <span
      className={`badge tone-${stateTone(code)}`}
      title={`${code} ${name}: ${stateMeaning(code)}`}
      data-state-code={code}
    >
      <span className="badge-code">{code}</span> {name}
    </span>
  );
}

/** A job or task status (Running, Completed, Failed, Pending) as a badge. */
export function StatusBadge({ status }: { status: string }) {
  const tone =
    status === 'Completed' || status === 'ok' || status === 'synchronized'
      ? 'success'
      : status === 'Failed' || status === 'down' || status === 'breaker open'
        ? 'danger'
        : status === 'Running' || status === 'breaker half-open'
          ? 'progress'
          : 'neutral';
  return (
    <span className={`badge tone-${tone}`} data-status={status}>
      {status}
    </span>
  );
}
