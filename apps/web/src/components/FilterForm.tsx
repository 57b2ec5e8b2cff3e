import type { FormEvent, ReactNode } from 'react';

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

/** The options of a choice among the role model's connections or entitlements: "name (id)". */
export function CatalogOptions({ items }: { items: ReadonlyArray<{ id: string; name: string }> }) {
  return (
    <>
      {items.map((item) => (
        <option key={item.id} value={item.id}>
          {item.name} ({item.id})
        </option>
      ))}
    </>
  );
}
