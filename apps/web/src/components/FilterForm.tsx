import type { FormEvent, ReactNode } from 'react';
import { Field } from './Field';

/**
 * A search form above a list: its fields, the button that applies them (Enter does too) and,
 * when the list can be reset, "Clear filters".
 */
export function FilterForm({
  label,
  submitLabel,
  onSubmit,
  onClear,
  children,
}: {
  /** The form's name for screen readers ("Filter the orders"). */
  label: string;
  submitLabel: string;
  onSubmit(): void;
  onClear?: () => void;
  children: ReactNode;
}) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form role="search" aria-label={label} className="filters" onSubmit={submit}>
      {children}
      <div className="filters-actions">
        <button type="submit" className="button secondary">
          {submitLabel}
        </button>
        {onClear && (
          <button type="button" className="button-link" onClick={onClear}>
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}

/** A choice of one connection or entitlement; `none` is the empty choice's text ("All connections"). */
export function CatalogSelect({
  id,
  label,
  none,
  items,
  value,
  onChange,
}: {
  id: string;
  label: string;
  none: string;
  items: ReadonlyArray<{ id: string; name: string }>;
  value: string;
  onChange(value: string): void;
}) {
  return (
    <Field id={id} label={label}>
      {(props) => (
        <select {...props} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{none}</option>
          {items.map((item) => (
            <option key={item.id} value={item.id}>
              {item.name} ({item.id})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A search field with suggestions; any other text can be typed in too. */
export function SuggestingField({
  id,
  label,
  hint,
  placeholder,
  suggestions,
  value,
  onChange,
}: {
  id: string;
  label: string;
  hint?: string;
  placeholder: string;
  suggestions: readonly string[];
  value: string;
  onChange(value: string): void;
}) {
  return (
    <Field id={id} label={label} hint={hint}>
      {(props) => (
        <>
          <input
            {...props}
            type="search"
            list={`${id}-suggestions`}
            placeholder={placeholder}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
          <datalist id={`${id}-suggestions`}>
            {suggestions.map((suggestion) => (
              <option key={suggestion} value={suggestion} />
            ))}
          </datalist>
        </>
      )}
    </Field>
  );
}
