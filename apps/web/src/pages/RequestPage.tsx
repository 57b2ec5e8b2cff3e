import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { del, get, post, query } from '../api/client';
import type { Identity } from '../api/types';
import { Alert } from '../components/Alert';
import { DateTimeField, Field } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { localInputToIso } from '../format';
import { useEntitlements } from '../hooks/use-catalog';
import { useApiQuery, usePermissions } from '../hooks/use-api-query';
import { Link, useRouter } from '../router';
import { checkDraft, type FieldErrors, fieldErrorsFrom, type Mode, type RequestDraft } from './request-form';

/** Request or revoke an entitlement for an identity, with dates and a comment. */
export function RequestPage() {
  const { params } = useRouter();
  const [draft, setDraft] = useState<RequestDraft>(() => ({
    mode: params.get('mode') === 'revoke' ? 'revoke' : 'request',
    identityId: params.get('identity') ?? '',
    entitlementId: params.get('entitlement') ?? '',
    assignmentId: params.get('assignment') ?? '',
    startsAt: '',
    endsAt: '',
    comment: '',
  }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState<{ text: string; identityId: string } | null>(null);
  const [busy, setBusy] = useState(false);
  // Asks for the focus to go to the first field with a problem, once React has rendered it.
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (focusRequest) document.querySelector<HTMLElement>('.form [aria-invalid="true"]')?.focus();
  }, [focusRequest]);
  const focusFirstInvalid = () => setFocusRequest((n) => n + 1);
  const entitlements = useEntitlements();
  const identitiesPath = `/identities${query({ limit: 500 })}`;
  const identities = useApiQuery([identitiesPath], (signal) => get<Identity[]>(identitiesPath, signal), {
    live: ['identity-'],
  });
  const identityId = draft.identityId.trim();
  const assignments = usePermissions(identityId, draft.mode === 'revoke' && identityId.length > 0);
  const revocable = useMemo(
    () => (assignments.data ?? []).filter((a) => a.workflowState === 'Requested'),
    [assignments.data],
  );
  const chosen = entitlements.data?.find((e) => e.id === draft.entitlementId);

  const set = <K extends keyof RequestDraft>(key: K, value: RequestDraft[K]) => {
    setDraft((previous) => ({ ...previous, [key]: value }));
    setErrors((previous) => ({ ...previous, [key]: undefined }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setDone(null);
    const found = checkDraft(draft);
    setErrors(found);
    if (Object.values(found).some(Boolean)) {
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      const comment = draft.comment.trim() || undefined;
      if (draft.mode === 'request') {
        await post<{ assignmentId: string }>('/assignments', {
          identityId,
          entitlementId: draft.entitlementId,
          startsAt: localInputToIso(draft.startsAt),
          endsAt: localInputToIso(draft.endsAt),
          comment,
        });
        const review = chosen?.requiresProvisioningReview
          ? ' It waits for a provisioning review before anything is written.'
          : '';
        setDone({
          text: `Requested ${chosen?.name ?? draft.entitlementId} for ${identityId}.${review}`,
          identityId,
        });
      } else {
        await del(`/assignments/${encodeURIComponent(draft.assignmentId)}`, { comment });
        setDone({
          text: `Revocation of the assignment recorded for ${identityId}; its removal is being provisioned.`,
          identityId,
        });
      }
      setDraft((previous) => ({
        ...previous,
        entitlementId: '',
        assignmentId: '',
        startsAt: '',
        endsAt: '',
        comment: '',
      }));
    } catch (error) {
      const atFields = fieldErrorsFrom(error);
      setErrors(atFields);
      setFailure(error);
      if (Object.keys(atFields).length) focusFirstInvalid();
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Request"
        description="Request an entitlement for an identity, or revoke one it has."
      />
      <div aria-live="polite">
        {done && (
          <Alert kind="success" onDismiss={() => setDone(null)}>
            {done.text}{' '}
            <Link to={`/identities/${encodeURIComponent(done.identityId)}`}>Open {done.identityId}</Link>
          </Alert>
        )}
      </div>
      <Alert error={failure} onDismiss={() => setFailure(null)} />
      <form
        className="form"
        onSubmit={submit}
        noValidate
        aria-label={draft.mode === 'request' ? 'Request an entitlement' : 'Revoke an entitlement'}
      >
        <fieldset className="mode">
          <legend>What to do</legend>
          {(['request', 'revoke'] as Mode[]).map((mode) => (
            <label key={mode} className="radio">
              <input
                type="radio"
                name="mode"
                value={mode}
                checked={draft.mode === mode}
                onChange={() => set('mode', mode)}
              />
              {mode === 'request' ? 'Request an entitlement' : 'Revoke an entitlement'}
            </label>
          ))}
        </fieldset>
        <Field
          id="identityId"
          label="Identity"
          required
          error={errors.identityId}
          hint="The identity id, e.g. alice.martin; start typing to pick one."
        >
          {(props) => (
            <>
              <input
                {...props}
                list="identity-options"
                autoComplete="off"
                value={draft.identityId}
                onChange={(e) => set('identityId', e.target.value)}
              />
              <datalist id="identity-options">
                {(identities.data ?? []).map((i) => (
                  <option key={i.id} value={i.id}>{`${i.firstName} ${i.lastName}`}</option>
                ))}
              </datalist>
            </>
          )}
        </Field>
        {draft.mode === 'request' ? (
          <>
            <Field
              id="entitlementId"
              label="Entitlement"
              required
              error={errors.entitlementId}
              hint={chosen ? describe(chosen.requiresProvisioningReview, chosen.fulfillment) : undefined}
            >
              {(props) => (
                <select
                  {...props}
                  value={draft.entitlementId}
                  onChange={(e) => set('entitlementId', e.target.value)}
                >
                  <option value="">Choose…</option>
                  {(entitlements.data ?? []).map((e) => (
                    <option key={e.id} value={e.id}>
                      {e.name} ({e.id}){e.requiresProvisioningReview ? ' · needs review' : ''}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <div className="field-row">
              <DateTimeField
                id="startsAt"
                label="Start date"
                error={errors.startsAt}
                hint="Optional; empty means now."
                value={draft.startsAt}
                onChange={(value) => set('startsAt', value)}
              />
              <DateTimeField
                id="endsAt"
                label="End date"
                error={errors.endsAt}
                hint="Optional; after the start date."
                value={draft.endsAt}
                onChange={(value) => set('endsAt', value)}
              />
            </div>
          </>
        ) : (
          <Field id="assignmentId" label="Assignment to revoke" required error={errors.assignmentId}>
            {(props) => (
              <select
                {...props}
                value={draft.assignmentId}
                onChange={(e) => set('assignmentId', e.target.value)}
                disabled={!identityId}
              >
                <option value="">
                  {identityId
                    ? assignments.loading
                      ? 'Loading…'
                      : revocable.length
                        ? 'Choose…'
                        : 'No assignment to revoke'
                    : 'Choose the identity first'}
                </option>
                {revocable.map((a) => (
                  <option key={a.assignmentId} value={a.assignmentId}>
                    {a.entitlementId} · {a.provisioningStateCode} {a.provisioningState}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field
          id="comment"
          label="Comment"
          error={errors.comment}
          hint="Why: kept in the assignment's history."
        >
          {(props) => (
            <textarea
              {...props}
              rows={3}
              value={draft.comment}
              onChange={(e) => set('comment', e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Sending…' : draft.mode === 'request' ? 'Request' : 'Revoke'}
        </button>
      </form>
    </>
  );
}

function describe(review: boolean, fulfillment: string): string {
  const who =
    fulfillment === 'manual'
      ? 'Fulfilled by operators (manual provisioning).'
      : 'Written by the connector agent.';
  return review ? `Sensitive: a reviewer approves it first. ${who}` : who;
}
