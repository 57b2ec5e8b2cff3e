import { useState } from 'react';
import { EVENT_LABELS } from '../api/states';
import { DateTimeField, Field } from '../components/Field';
import { FilterForm, SuggestingField } from '../components/FilterForm';
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

/** The filters typed in, with suggestions. */
const SUGGESTING_FIELDS = [
  {
    key: 'stream',
    label: 'Stream',
    hint: 'a category (identity-) or one stream (identity-alice)',
    placeholder: 'assignment-…',
    suggestions: STREAM_PREFIXES,
  },
  { key: 'type', label: 'Event type', placeholder: 'ProvisioningOrderApproved', suggestions: EVENT_TYPES },
] as const;

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
  return (
    <FilterForm
      label="Filter the event log"
      submitLabel="Show events"
      onSubmit={() => onChange(draft)}
      onClear={() => {
        setDraft(EMPTY_AUDIT_FILTER);
        onChange(EMPTY_AUDIT_FILTER);
      }}
    >
      {SUGGESTING_FIELDS.map(({ key, ...field }) => (
        <SuggestingField key={key} id={`audit-${key}`} {...field} value={draft[key]} onChange={set(key)} />
      ))}
      <Field id="audit-actor" label="Actor">
        {(props) => (
          <input
            {...props}
            type="search"
            placeholder="who acted, exactly"
            value={draft.actor}
            onChange={(e) => set('actor')(e.target.value)}
          />
        )}
      </Field>
      <DateTimeField id="audit-from" label="From" value={draft.from} onChange={set('from')} />
      <DateTimeField id="audit-to" label="To" value={draft.to} onChange={set('to')} />
    </FilterForm>
  );
}
