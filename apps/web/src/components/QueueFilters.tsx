import { useState } from 'react';
import type { Connection, Entitlement } from '../api/types';
import { Field } from './Field';
import { CatalogOptions, FilterForm } from './FilterForm';

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
  const set = (key: keyof QueueFilter) => (next: string) => {
    const updated = { ...draft, [key]: next };
    setDraft(updated);
    // Choosing from a list applies at once; the identity applies on Enter or the button.
    if (key !== 'identityId') onChange({ ...updated, identityId: updated.identityId.trim() });
  };
  return (
    <FilterForm
      label="Filter the orders"
      submitLabel="Filter"
      onSubmit={() => onChange({ ...draft, identityId: draft.identityId.trim() })}
      onClear={() => {
        setDraft(NO_FILTER);
        onChange(NO_FILTER);
      }}
    >
      <Field id={`${idPrefix}-connection`} label="Connection">
        {(props) => (
          <select {...props} value={draft.connectionId} onChange={(e) => set('connectionId')(e.target.value)}>
            <option value="">All connections</option>
            <CatalogOptions items={connections} />
          </select>
        )}
      </Field>
      <Field id={`${idPrefix}-entitlement`} label="Entitlement">
        {(props) => (
          <select
            {...props}
            value={draft.entitlementId}
            onChange={(e) => set('entitlementId')(e.target.value)}
          >
            <option value="">All entitlements</option>
            <CatalogOptions items={entitlements} />
          </select>
        )}
      </Field>
      <Field id={`${idPrefix}-identity`} label="Identity">
        {(props) => (
          <input
            {...props}
            type="search"
            value={draft.identityId}
            placeholder="identity id"
            onChange={(e) => set('identityId')(e.target.value)}
          />
        )}
      </Field>
    </FilterForm>
  );
}
