import type { ReactNode } from 'react';

export interface ControlProps {
  id: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
}

/** What a field shows around its control. */
interface FieldFrame {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  required?: boolean;
}

/**
 * A labelled form control with its hint and its error right below it; the control points to
 * both (aria-describedby) and is marked invalid, so a screen reader reads the problem with it.
 */
export function Field({
  id,
  label,
  hint,
  error,
  required,
  children,
}: FieldFrame & { children: (props: ControlProps) => ReactNode }) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>
        {label}
        {required && <span aria-hidden="true"> *</span>}
        {required && <span className="visually-hidden"> (required)</span>}
      </label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A date and time to the second, in the person's local time (what datetime-local gives). */
export function DateTimeField({
  value,
  onChange,
  ...field
}: FieldFrame & { value: string; onChange(value: string): void }) {
  return (
    <Field {...field}>
      {(props) => (
        <input
          {...props}
          type="datetime-local"
          step={1}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
