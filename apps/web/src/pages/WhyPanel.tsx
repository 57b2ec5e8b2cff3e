import { type FormEvent, useState } from 'react';
import { get, query } from '../api/client';
import type { AccessExplanation, Entitlement } from '../api/types';
import { Alert, Loading } from '../components/Alert';
import { ExplainTimeline } from '../components/ExplainTimeline';
import { CatalogSelect } from '../components/FilterForm';
import { useApiQuery } from '../hooks/use-api-query';
import { Link } from '../router';

function holderLabel(holder: string): string {
  return holder.startsWith('rule:') ? `birthright rule ${holder.slice('rule:'.length)}` : 'a request';
}

/**
 * The identity's "Why?" tab: for one entitlement, does the person have it and why (or why not),
 * with the assignment's causal chain as a timeline (`GET /api/identities/:id/explain`).
 */
export function WhyPanel({
  identityId,
  entitlementId,
  entitlements,
  onChoose,
}: {
  identityId: string;
  entitlementId: string;
  entitlements: Entitlement[];
  onChoose(entitlementId: string): void;
}) {
  const [draft, setDraft] = useState(entitlementId);
  const path = `/identities/${encodeURIComponent(identityId)}/explain${query({ entitlement: entitlementId })}`;
  const answer = useApiQuery([path], (signal) => get<AccessExplanation>(path, signal), {
    live: [`identity-${identityId}`, 'assignment-'],
    enabled: entitlementId !== '',
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChoose(draft);
  };
  const data = answer.data;
  return (
    <section aria-labelledby="why-heading">
      <h2 id="why-heading" className="visually-hidden">
        Why does this person have an entitlement
      </h2>
      <form className="filters" onSubmit={submit}>
        <CatalogSelect
          id="why-entitlement"
          label="Entitlement"
          none="Choose an entitlement"
          items={entitlements}
          value={draft}
          onChange={setDraft}
        />
        <div className="filters-actions">
          <button type="submit" className="button secondary" disabled={!draft}>
            Explain
          </button>
        </div>
      </form>
      {entitlementId === '' ? null : answer.loading ? (
        <Loading what="the explanation" />
      ) : (
        <>
          <Alert error={answer.error} />
          {data && data.entitlementId === entitlementId && (
            <div className="why" data-has={String(data.has)}>
              <p className="strong" id="why-answer">
                {data.has ? `Has ${data.entitlementId}` : `Does not have ${data.entitlementId}`}
                {data.holders.length > 0 && ` — held by ${data.holders.map(holderLabel).join(' and ')}`}
              </p>
              <ul className="why-reasons" aria-label={data.has ? 'Why' : 'Why not'}>
                {data.reasons.map((reason) => (
                  <li key={`${reason.code}:${reason.message}`} data-reason={reason.code}>
                    {reason.message}
                  </li>
                ))}
              </ul>
              {data.explanation && (
                <>
                  <h3 className="small-heading">How it came to be</h3>
                  <ExplainTimeline
                    steps={data.explanation.steps}
                    label={`Explanation of ${data.entitlementId}`}
                  />
                  <p className="small">
                    <Link to={`/assignments/${data.explanation.assignmentId}`}>
                      Open the assignment's explanation
                    </Link>{' '}
                    ·{' '}
                    <Link to={`/audit?stream=assignment-${data.explanation.assignmentId}`}>
                      Its events in the audit log
                    </Link>
                  </p>
                </>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}
