import { useState } from 'react';
import type { Connection, Entitlement } from '../api/types';
import { Field } from './Field';
import { CatalogSelect, FilterForm } from './FilterForm';

export interface QueueFilter {
  connectionId: string;
  entitlementId: string;
  identityId: string;
}

export const NO_FILTER: QueueFilter = { connectionId: '', entitlementId: '', identityId: '' };

/** The filters chosen from the role model's lists; ids and labels follow the name. */
const CATALOGS = [
  { key: 'connectionId', name: 'connection' },
  { key: 'entitlementId', name: 'entitlement' },
] as const;

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
      {CATALOGS.map(({ key, name }) => (
        <CatalogSelect
          key={key}
          id={`${idPrefix}-${name}`}
          label={`${name[0].toUpperCase()}${name.slice(1)}`}
          none={`All ${name}s`}
          items={key === 'connectionId' ? connections : entitlements}
          value={draft[key]}
          onChange={set(key)}
        />
      ))}
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
