import { type FormEvent, useState } from 'react';
import { EVENT_LABELS } from '../api/states';
import { type AuditFilter, EMPTY_AUDIT_FILTER } from './audit-log';

/** Event types offered as suggestions; any other type the log holds can be typed in. */
const EVENT_TYPES = [
  ...Object.keys(EVENT_LABELS),
  'IdentityRegistered',
  'IdentityUpdated',
  'IdentityDeactivated',
  'IdentityReactivated',
  'JobStarted',
  'JobCompleted',
  'JobFailed',
  'SynchronizationCompleted',
  'NonConformingResourceFound',
  'RoleModelDeployed',
];

/** Stream categories offered as suggestions (a stream filter is a prefix: a category, or one stream). */
const STREAM_PREFIXES = ['assignment-', 'identity-', 'job-', 'sync-', 'rolemodel-'];

/** The audit log's filters (stream, event type, actor, time range); applied on submit. */
export function AuditFilters({
  value,
  onChange,
}: {
  value: AuditFilter;
  onChange(filter: AuditFilter): void;
}) {
  const [draft, setDraft] = useState(value);
  const set = (key: keyof AuditFilter) => (next: string) => setDraft((d) => ({ ...d, [key]: next }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange(draft);
  };
  return (
    <form role="search" aria-label="Filter the event log" className="filters" onSubmit={submit}>
      <div className="field">
        <label htmlFor="audit-stream">Stream</label>
        <input
          id="audit-stream"
          type="search"
          list="audit-streams"
          placeholder="assignment-…"
          aria-describedby="audit-stream-hint"
          value={draft.stream}
          onChange={(e) => set('stream')(e.target.value)}
        />
        <datalist id="audit-streams">
          {STREAM_PREFIXES.map((prefix) => (
            <option key={prefix} value={prefix} />
          ))}
        </datalist>
        <p id="audit-stream-hint" className="field-hint">
          a category (identity-) or one stream (identity-alice)
        </p>
      </div>
      <div className="field">
        <label htmlFor="audit-type">Event type</label>
        <input
          id="audit-type"
          type="search"
          list="audit-types"
          placeholder="ProvisioningOrderApproved"
          value={draft.type}
          onChange={(e) => set('type')(e.target.value)}
        />
        <datalist id="audit-types">
          {EVENT_TYPES.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="audit-actor">Actor</label>
        <input
          id="audit-actor"
          type="search"
          placeholder="who acted, exactly"
          value={draft.actor}
          onChange={(e) => set('actor')(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="audit-from">From</label>
        <input
          id="audit-from"
          type="datetime-local"
          step={1}
          value={draft.from}
          onChange={(e) => set('from')(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="audit-to">To</label>
        <input
          id="audit-to"
          type="datetime-local"
          step={1}
          value={draft.to}
          onChange={(e) => set('to')(e.target.value)}
        />
      </div>
      <div className="filters-actions">
        <button type="submit" className="button secondary">
          Show events
        </button>
        <button
          type="button"
          className="button-link"
          onClick={() => {
            setDraft(EMPTY_AUDIT_FILTER);
            onChange(EMPTY_AUDIT_FILTER);
          }}
        >
          Clear filters
        </button>
      </div>
    </form>
  );
}
