import { get } from '../api/client';
import type { NonConformingResource } from '../api/types';
import { Alert, Empty, Loading } from '../components/Alert';
import { formatDateTime } from '../format';
import { useResource } from '../hooks/use-resource';

/** What the last synchronization of a connection found that no assignment expects (drift). */
export function NonConformingList({ connectionId }: { connectionId: string }) {
  const resources = useResource(
    (signal) =>
      get<NonConformingResource[]>(`/connections/${encodeURIComponent(connectionId)}/non-conforming`, signal),
    [connectionId],
    { live: [`sync-${connectionId}`] },
  );
  if (resources.loading) return <Loading what="non-conforming resources" />;
  if (resources.error) return <Alert error={resources.error} />;
  const list = resources.data ?? [];
  if (list.length === 0)
    return <Empty>The last synchronization found nothing unexpected on {connectionId}.</Empty>;
  return (
    <table className="data-table compact">
      <caption>
        {list.length} non-conforming resource{list.length === 1 ? '' : 's'} on {connectionId}
      </caption>
      <thead>
        <tr>
          <th scope="col">Account</th>
          <th scope="col">Group</th>
          <th scope="col">Kind</th>
          <th scope="col">Found</th>
        </tr>
      </thead>
      <tbody>
        {list.map((resource) => (
          <tr key={`${resource.accountKey}/${resource.group ?? ''}`}>
            <th scope="row">{resource.accountKey}</th>
            <td>{resource.group ?? '—'}</td>
            <td>{resource.kind}</td>
            <td>{formatDateTime(resource.foundAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
