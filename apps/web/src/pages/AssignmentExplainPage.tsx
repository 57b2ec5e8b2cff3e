import { get } from '../api/client';
import type { AssignmentExplanation } from '../api/types';
import { Alert, Loading } from '../components/Alert';
import { ExplainTimeline } from '../components/ExplainTimeline';
import { PageHeader } from '../components/PageHeader';
import { shortId } from '../format';
import { useApiQuery } from '../hooks/use-api-query';
import { Link } from '../router';

/** `/assignments/:id`: why an assignment is what it is, as one timeline, kept current live. */
export function AssignmentExplainPage({ assignmentId }: { assignmentId: string }) {
  const path = `/assignments/${encodeURIComponent(assignmentId)}/explain`;
  const explanation = useApiQuery([path], (signal) => get<AssignmentExplanation>(path, signal), {
    live: [`assignment-${assignmentId}`],
  });
  const data = explanation.data;
  const identityPath = data ? `/identities/${encodeURIComponent(data.identityId)}` : undefined;
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/directory">Directory</Link> <span aria-hidden="true">›</span>{' '}
        {data && identityPath ? (
          <>
            <Link to={identityPath}>{data.identityId}</Link> <span aria-hidden="true">›</span>{' '}
          </>
        ) : null}
        <span aria-current="page">Assignment {shortId(assignmentId)}</span>
      </nav>
      <PageHeader
        title={
          data ? `Why ${data.identityId} has ${data.entitlementId}` : `Assignment ${shortId(assignmentId)}`
        }
        description="The causal chain, oldest first: request or rule, orders with the role model's computation, review, connector calls and verification."
      />
      <Alert error={explanation.error} />
      {explanation.loading ? (
        <Loading what="the explanation" />
      ) : (
        data && (
          <>
            <ExplainTimeline
              steps={data.steps}
              label={`Explanation of assignment ${shortId(assignmentId)}`}
            />
            <p className="small">
              <Link to={`/audit?stream=assignment-${assignmentId}`}>Its events in the audit log</Link> ·{' '}
              <Link to={`/audit?assignment=${assignmentId}`}>This assignment at an earlier instant</Link>
            </p>
          </>
        )
      )}
    </>
  );
}
