import { type FormEvent, useState } from 'react';
import { EVENT_LABELS, PROVISIONING_STATES } from '../api/states';
import type { Entitlement } from '../api/types';
import { type AuditFilter, EMPTY_AUDIT_FILTER } from './audit-log';

/** The audit log's filters; applied on submit. */
export function AuditFilters({
  entitlements,
  value,
  onChange,
}: {
  entitlements: Entitlement[];
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
        <label htmlFor="audit-identity">Identity</label>
        <input
          id="audit-identity"
          type="search"
          placeholder="identity id"
          value={draft.identityId}
          onChange={(e) => set('identityId')(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="audit-entitlement">Entitlement</label>
        <select
          id="audit-entitlement"
          value={draft.entitlementId}
          onChange={(e) => set('entitlementId')(e.target.value)}
        >
          <option value="">All</option>
          {entitlements.map((e) => (
            <option key={e.id} value={e.id}>
              {e.id}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-state">Current state</label>
        <select
          id="audit-state"
          value={draft.provisioningState}
          onChange={(e) => set('provisioningState')(e.target.value)}
        >
          <option value="">Any</option>
          {PROVISIONING_STATES.map((s) => (
            <option key={s.code} value={s.name}>
              {s.code} {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-type">Event</label>
        <select id="audit-type" value={draft.eventType} onChange={(e) => set('eventType')(e.target.value)}>
          <option value="">All events</option>
          {Object.entries(EVENT_LABELS).map(([type, label]) => (
            <option key={type} value={type}>
              {label}
            </option>
          ))}
        </select>
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
