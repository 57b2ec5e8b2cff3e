import { useState } from 'react';
import { PageHeader } from '../components/PageHeader';
import { useRouter } from '../router';
import { useSession } from '../session/session';
import { AsOfPanel } from './AsOfPanel';
import { AuditLog } from './AuditLog';
import { filterFromParams } from './audit-log';
import { PermissionsAsOfPanel } from './PermissionsAsOfPanel';
import { ReplayPanel } from './ReplayPanel';

/**
 * Audit: an assignment and an identity's permissions as of an instant, the event log with its
 * filters and export (for the roles that may read it), and audit replay.
 */
export function AuditPage() {
  const { can } = useSession();
  const { params } = useRouter();
  const [preset, setPreset] = useState<{ assignmentId: string; instant?: string } | null>(() => {
    const assignment = params.get('assignment');
    return assignment ? { assignmentId: assignment, instant: params.get('asOf') ?? undefined } : null;
  });
  return (
    <>
      <PageHeader
        title="Audit"
        description="The event log: every recorded event, who did it, when and why; and any assignment or identity as it was at an earlier instant."
      />
      <AsOfPanel key={preset ? `${preset.assignmentId}@${preset.instant ?? ''}` : 'none'} preset={preset} />
      <PermissionsAsOfPanel />
      {can.readAuditLog ? (
        <AuditLog
          key={params.toString()}
          initialFilter={filterFromParams(params)}
          onStateAfter={(assignmentId, instant) => {
            setPreset({ assignmentId, instant });
            document.getElementById('as-of-heading')?.scrollIntoView({ block: 'start' });
          }}
        />
      ) : (
        <section className="panel" aria-labelledby="log-heading">
          <h2 id="log-heading">Event log</h2>
          <p className="muted">The event log is for reviewers, operators and auditors.</p>
        </section>
      )}
      {can.replay && <ReplayPanel />}
    </>
  );
}
