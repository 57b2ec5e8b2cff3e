import { type FormEvent, useState } from 'react';
import type { Connection, Entitlement } from '../api/types';

export interface QueueFilter {
  connectionId: string;
  entitlementId: string;
  identityId: string;
}

export const NO_FILTER: QueueFilter = { connectionId: '', entitlementId: '', identityId: '' };

/** Filters of an order queue: connection, entitlement, identity. Applied on submit (Enter). */
export function QueueFilters({
  idPrefix,
  connections,
  entitlements,
  value,
  onChange,
}: {
  idPrefix: string;
  connections: Connection[];
  entitlements: Entitlement[];
  value: QueueFilter;
  onChange(filter: QueueFilter): void;
}) {
  const [draft, setDraft] = useState<QueueFilter>(value);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ ...draft, identityId: draft.identityId.trim() });
  };
  const set = (key: keyof QueueFilter) => (next: string) => {
    const updated = { ...draft, [key]: next };
    setDraft(updated);
    // Choosing from a list applies at once; the identity applies on Enter or the button.
    if (key !== 'identityId') onChange({ ...updated, identityId: updated.identityId.trim() });
  };
  return (
    <form role="search" aria-label="Filter the orders" className="filters" onSubmit={submit}>
      <div className="field">
        <label htmlFor={`${idPrefix}-connection`}>Connection</label>
        <select
          id={`${idPrefix}-connection`}
          value={draft.connectionId}
          onChange={(e) => set('connectionId')(e.target.value)}
        >
          <option value="">All connections</option>
          {connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.id})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-entitlement`}>Entitlement</label>
        <select
          id={`${idPrefix}-entitlement`}
          value={draft.entitlementId}
          onChange={(e) => set('entitlementId')(e.target.value)}
        >
          <option value="">All entitlements</option>
          {entitlements.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name} ({e.id})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-identity`}>Identity</label>
        <input
          id={`${idPrefix}-identity`}
          type="search"
          value={draft.identityId}
          placeholder="identity id"
          onChange={(e) => set('identityId')(e.target.value)}
        />
      </div>
      <div className="filters-actions">
        <button type="submit" className="button secondary">
          Filter
        </button>
        <button
          type="button"
          className="button-link"
          onClick={() => {
            setDraft(NO_FILTER);
            onChange(NO_FILTER);
          }}
        >
          Clear filters
        </button>
      </div>
    </form>
  );
}
