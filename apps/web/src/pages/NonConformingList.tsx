import { get } from '../api/client';
import type { NonConformingResource } from '../api/types';
import { Alert, Empty, Loading } from '../components/Alert';
import { DataTable } from '../components/DataTable';
import { formatDateTime } from '../format';
import { useApiQuery } from '../hooks/use-api-query';

const DRIFT_LABELS: Record<NonConformingResource['drift'], string> = {
  unexpected: 'unexpected (nobody asked for it)',
  missing: 'missing (removed by hand)',
  differing: 'differing (changed by hand)',
};

/** What the last synchronization of a connection found out of line with the assignments (drift, both ways). */
export function NonConformingList({ connectionId }: { connectionId: string }) {
  const path = `/connections/${encodeURIComponent(connectionId)}/non-conforming`;
  const resources = useApiQuery([path], (signal) => get<NonConformingResource[]>(path, signal), {
    live: [`sync-${connectionId}`],
  });
  if (resources.loading) return <Loading what="non-conforming resources" />;
  if (resources.error) return <Alert error={resources.error} />;
  const list = resources.data ?? [];
  if (list.length === 0)
    return (
      <Empty>The last synchronization found nothing unexpected, missing or changed on {connectionId}.</Empty>
    );
  return (
    <DataTable
      caption={
        <>
          {list.length} non-conforming resource{list.length === 1 ? '' : 's'} on {connectionId}
        </>
      }
      captionStyle="shown"
      columns={['Account', 'Group or attribute', 'Kind', 'Drift', 'Found']}
      className="data-table compact"
      scroll={false}
    >
      {list.map((resource) => (
        <tr key={`${resource.accountKey}/${resource.group ?? ''}/${resource.attribute ?? ''}`}>
          <th scope="row">{resource.accountKey}</th>
          <td>{resource.group ?? resource.attribute ?? '—'}</td>
          <td>{resource.kind}</td>
          <td>{DRIFT_LABELS[resource.drift] ?? resource.drift}</td>
          <td>{formatDateTime(resource.foundAt)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
