import { useEffect, useMemo, useRef, useState } from 'react';
import { get } from '../api/client';
import type { Assignment, Identity } from '../api/types';
import { Alert, Empty, Loading } from '../components/Alert';
import { PageHeader } from '../components/PageHeader';
import { Tabs } from '../components/Tabs';
import { useEntitlements } from '../hooks/use-catalog';
import { useApiQuery, usePermissions } from '../hooks/use-api-query';
import { Link, useRouter } from '../router';
import { useSession } from '../session/session';
import { IdentityEditForm } from './IdentityEditForm';
import { PermissionsTable } from './PermissionsTable';
import { WhyPanel } from './WhyPanel';

/** Announces state changes of the identity's assignments that arrive live (for screen readers, and seen). */
function useStateChangeAnnouncements(assignments: Assignment[] | undefined): string {
  const previous = useRef<Map<string, number> | null>(null);
  const [announcement, setAnnouncement] = useState('');
  useEffect(() => {
    if (!assignments) return;
    const now = new Map(assignments.map((a) => [a.assignmentId, a.provisioningStateCode]));
    if (previous.current) {
      const changed = assignments.filter(
        (a) =>
          previous.current!.has(a.assignmentId) &&
          previous.current!.get(a.assignmentId) !== a.provisioningStateCode,
      );
      if (changed.length) {
        setAnnouncement(
          changed
            .map((a) => `${a.entitlementId} is now ${a.provisioningStateCode} ${a.provisioningState}`)
            .join('. '),
        );
      }
    }
    previous.current = now;
  }, [assignments]);
  return announcement;
}

/** One identity: its attributes and its permissions (View Permissions), with live states. */
export function IdentityPage({ identityId }: { identityId: string }) {
  const { can } = useSession();
  const { params, navigate } = useRouter();
  const wanted = params.get('tab');
  const tab =
    wanted === 'attributes' || wanted === 'why' || (wanted === 'edit' && can.requestAssignments)
      ? wanted
      : 'permissions';
  const why = params.get('entitlement') ?? '';
  const path = `/identities/${encodeURIComponent(identityId)}`;
  const identity = useApiQuery([path], (signal) => get<Identity>(path, signal), {
    live: [`identity-${identityId}`],
  });
  const permissions = usePermissions(identityId);
  const entitlements = useEntitlements();
  const byId = useMemo(() => new Map((entitlements.data ?? []).map((e) => [e.id, e])), [entitlements.data]);
  const announcement = useStateChangeAnnouncements(permissions.data);

  const person = identity.data;
  const title = person ? `${person.firstName} ${person.lastName}` : identityId;

  const permissionsContent = permissions.loading ? (
    <Loading what="permissions" />
  ) : (
    <>
      <Alert error={permissions.error} />
      {permissions.data && permissions.data.length === 0 && (
        <Empty>No entitlement has been requested for {title} yet.</Empty>
      )}
      {permissions.data && permissions.data.length > 0 && (
        <PermissionsTable
          assignments={permissions.data}
          entitlements={byId}
          canRevoke={can.requestAssignments}
          loadedAt={permissions.loadedAt}
        />
      )}
    </>
  );

  const attributesContent = person ? (
    <dl className="details">
      <dt>Identity id</dt>
      <dd>
        <code>{person.id}</code>
      </dd>
      <dt>Login</dt>
      <dd>{person.login}</dd>
      <dt>Email</dt>
      <dd>{person.email}</dd>
      <dt>Department</dt>
      <dd>{person.department ?? '—'}</dd>
      <dt>Status</dt>
      <dd>{person.active === false ? `Deactivated ${person.deactivatedAt ?? ''}` : 'Active'}</dd>
      {Object.entries(person.attributes ?? {}).map(([key, value]) => (
        <div key={key} className="details-row">
          <dt>{key}</dt>
          <dd>{String(value)}</dd>
        </div>
      ))}
    </dl>
  ) : null;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/directory">Directory</Link> <span aria-hidden="true">›</span>{' '}
        <span aria-current="page">{title}</span>
      </nav>
      <PageHeader
        title={title}
        description={
          person
            ? `${person.login} · ${person.email}${person.department ? ` · ${person.department}` : ''}` +
              (person.active === false ? ' · Deactivated' : '')
            : undefined
        }
      >
        {can.requestAssignments && person?.active !== false && (
          <Link className="button primary" to={`/request?identity=${encodeURIComponent(identityId)}`}>
            Request an entitlement
          </Link>
        )}
      </PageHeader>
      <Alert error={identity.error} />
      <p className="visually-hidden" aria-live="polite" role="status" data-testid="state-announcement">
        {announcement}
      </p>
      {identity.loading ? (
        <Loading what="the identity" />
      ) : (
        person && (
          <Tabs
            label={`About ${title}`}
            selected={tab}
            onSelect={(id) =>
              navigate(`${path}${id === 'permissions' ? '' : `?tab=${id}`}`, { replace: true })
            }
            tabs={[
              { id: 'permissions', label: 'View Permissions', content: permissionsContent },
              { id: 'attributes', label: 'Attributes', content: attributesContent },
              {
                id: 'why',
                label: 'Why?',
                content: (
                  <WhyPanel
                    key={why}
                    identityId={identityId}
                    entitlementId={why}
                    entitlements={entitlements.data ?? []}
                    onChoose={(id) =>
                      navigate(`${path}?tab=why&entitlement=${encodeURIComponent(id)}`, { replace: true })
                    }
                  />
                ),
              },
              ...(can.requestAssignments
                ? [
                    {
                      id: 'edit',
                      label: 'Edit',
                      content: (
                        <IdentityEditForm
                          key={`${person.login}:${String(person.active)}`}
                          identity={person}
                          onChanged={() => {
                            identity.reload();
                            permissions.reload();
                          }}
                        />
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )
      )}
    </>
  );
}
