import { type FormEvent, useState } from 'react';
import { ApiError, patch, post } from '../api/client';
import type { Identity } from '../api/types';
import { Alert } from '../components/Alert';
import { Field } from '../components/Field';

type Editable = 'login' | 'firstName' | 'lastName' | 'email' | 'department';
const FIELDS: Array<{ name: Editable; label: string; hint?: string }> = [
  { name: 'login', label: 'Login', hint: 'The account key of most systems: a change renames the accounts.' },
  { name: 'firstName', label: 'First name' },
  { name: 'lastName', label: 'Last name' },
  { name: 'email', label: 'Email' },
  { name: 'department', label: 'Department', hint: 'Empty removes it. Birthright rules may follow it.' },
];

/**
 * The mover and the leaver: changes to the identity (each assignment whose account changes gets a
 * Modified order), and deactivation (every assignment is revoked) or reactivation.
 */
export function IdentityEditForm({ identity, onChanged }: { identity: Identity; onChanged(): void }) {
  const initial = Object.fromEntries(FIELDS.map(({ name }) => [name, identity[name] ?? ''])) as Record<
    Editable,
    string
  >;
  const [draft, setDraft] = useState(initial);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Editable, string>>>({});
  const path = `/identities/${encodeURIComponent(identity.id)}`;
  const active = identity.active !== false;

  async function run(action: () => Promise<unknown>, success: string) {
    setBusy(true);
    setFailure(null);
    setDone('');
    setErrors({});
    try {
      await action();
      setDone(success);
      onChanged();
    } catch (error) {
      setFailure(error);
      if (error instanceof ApiError) {
        const fieldErrors: Partial<Record<Editable, string>> = {};
        for (const problem of error.fields) fieldErrors[problem.field as Editable] ??= problem.message;
        if (error.status === 409 && /LOGIN/i.test(error.code)) fieldErrors.login = error.apiMessage;
        setErrors(fieldErrors);
      }
    } finally {
      setBusy(false);
    }
  }

  function save(event: FormEvent) {
    event.preventDefault();
    const changes: Record<string, string | null> = {};
    for (const { name } of FIELDS) {
      if (draft[name] === initial[name]) continue;
      changes[name] = name === 'department' && draft[name].trim() === '' ? null : draft[name];
    }
    if (Object.keys(changes).length === 0) {
      setDone('Nothing changed.');
      return;
    }
    void run(() => patch(path, changes), 'Saved. Accounts follow through Modified orders.');
  }

  return (
    <div className="identity-edit">
      <div aria-live="polite">{done && <Alert kind="success">{done}</Alert>}</div>
      <Alert error={failure} onDismiss={() => setFailure(null)} />
      <form className="form" onSubmit={save} noValidate aria-label="Edit the identity">
        {FIELDS.map(({ name, label, hint }) => (
          <Field key={name} id={`edit-${name}`} label={label} hint={hint} error={errors[name]}>
            {(props) => (
              <input
                {...props}
                value={draft[name]}
                onChange={(e) => setDraft((d) => ({ ...d, [name]: e.target.value }))}
              />
            )}
          </Field>
        ))}
        <button type="submit" className="button primary" disabled={busy}>
          Save changes
        </button>
      </form>
      <section aria-labelledby="status-heading" className="form">
        <h3 id="status-heading" className="small-heading">
          {active ? 'Deactivate (leaver)' : 'Reactivate'}
        </h3>
        <p className="small">
          {active
            ? 'Every assignment is revoked without review; new requests are refused until reactivation.'
            : 'The identity may be granted entitlements again; birthright rules apply again.'}
        </p>
        <Field id="status-comment" label="Comment">
          {(props) => <input {...props} value={comment} onChange={(e) => setComment(e.target.value)} />}
        </Field>
        <button
          type="button"
          className={active ? 'button danger' : 'button secondary'}
          disabled={busy}
          onClick={() =>
            void run(
              () => post(`${path}/${active ? 'deactivate' : 'reactivate'}`, comment ? { comment } : {}),
              active ? 'Deactivated: its assignments are being revoked.' : 'Reactivated.',
            )
          }
        >
          {active ? 'Deactivate' : 'Reactivate'}
        </button>
      </section>
    </div>
  );
}
