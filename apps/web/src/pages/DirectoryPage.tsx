import { useState } from 'react';
import { get, query } from '../api/client';
import type { Identity } from '../api/types';
import { Alert, ListStates } from '../components/Alert';
import { FilterForm } from '../components/FilterForm';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { DataTable } from '../components/DataTable';
import { useApiQuery } from '../hooks/use-api-query';
import { Link, useRouter } from '../router';

const PAGE_SIZE = 50;

/** The directory: identities, searchable by login, names and email. */
export function DirectoryPage() {
  const { params, navigate } = useRouter();
  const search = params.get('search') ?? '';
  const offset = Math.max(0, Number(params.get('offset') ?? 0) || 0);
  const [draft, setDraft] = useState(search);
  const listPath = `/identities${query({ search, limit: PAGE_SIZE + 1, offset })}`;
  const identities = useApiQuery([listPath], (signal) => get<Identity[]>(listPath, signal), {
    live: ['identity-'],
  });

  const go = (nextSearch: string, nextOffset: number) =>
    navigate(`/directory${query({ search: nextSearch, offset: nextOffset || undefined })}`);

  const rows = identities.data?.slice(0, PAGE_SIZE) ?? [];
  const hasMore = (identities.data?.length ?? 0) > PAGE_SIZE;

  return (
    <>
      <PageHeader
        title="Directory"
        description="The people the engine provisions. Open one to see their permissions and history."
      />
      <FilterForm label="Search the directory" submitLabel="Search" onSubmit={() => go(draft.trim(), 0)}>
        <div className="field grow">
          <label htmlFor="directory-search">Search</label>
          <input
            id="directory-search"
            type="search"
            value={draft}
            placeholder="login, name or email"
            onChange={(e) => setDraft(e.target.value)}
          />
        </div>
      </FilterForm>
      <Alert error={identities.error} />
      <ListStates
        loading={identities.loading}
        what="identities"
        isEmpty={rows.length === 0}
        empty={search ? `No identity matches “${search}”.` : 'No identities are registered yet.'}
      >
        {() => (
          <>
            <p className="muted" aria-live="polite">
              {search ? `Identities matching “${search}”` : 'All identities'}: {offset + 1}–
              {offset + rows.length}
              {hasMore ? ' (more on the next page)' : ''}
            </p>
            <DataTable caption="Identities" columns={['Name', 'Login', 'Email', 'Department']}>
              {rows.map((identity) => (
                <tr key={identity.id} data-identity-id={identity.id}>
                  <th scope="row" data-label="Name">
                    <Link to={`/identities/${encodeURIComponent(identity.id)}`}>
                      {identity.firstName} {identity.lastName}
                    </Link>
                  </th>
                  <td data-label="Login">{identity.login}</td>
                  <td data-label="Email" className="wrap">
                    {identity.email}
                  </td>
                  <td data-label="Department">{identity.department ?? '—'}</td>
                </tr>
              ))}
            </DataTable>
            <Pager
              label="Pages of identities"
              onPrevious={offset === 0 ? undefined : () => go(search, Math.max(0, offset - PAGE_SIZE))}
              onNext={hasMore ? () => go(search, offset + PAGE_SIZE) : undefined}
            />
          </>
        )}
      </ListStates>
    </>
  );
}
