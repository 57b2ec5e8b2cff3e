import { QueryClient } from '@tanstack/query-core';
import { invalidateLiveQueries, type LiveChange } from '../src/live/invalidation';

const change = (...streamNames: string[]): LiveChange => ({
  schema: 'rm',
  streamNames,
  type: 'Changed',
  truncated: false,
});

/** A cache with three queries as the console's pages make them: two live, one not. */
function cache() {
  // No garbage collection: its timers would outlive the test.
  const client = new QueryClient({ defaultOptions: { queries: { gcTime: Infinity } } });
  const add = (path: string, live: string[] | null) => {
    client.getQueryCache().build(client, { queryKey: [path], meta: { live } });
    client.setQueryData([path], 'data');
  };
  add('/identities/alice/permissions', ['assignment-']);
  add('/jobs', ['job-']);
  add('/entitlements', null);
  const invalidated = () =>
    ['/identities/alice/permissions', '/jobs', '/entitlements'].filter(
      (path) => client.getQueryState([path])?.isInvalidated,
    );
  return { client, invalidated };
}

describe('live invalidation of the query cache', () => {
  it('marks stale only the queries that follow a changed stream', async () => {
    const { client, invalidated } = cache();
    await invalidateLiveQueries(client, [change('assignment-1f0c')]);
    expect(invalidated()).toEqual(['/identities/alice/permissions']);
  });

  it('marks every live query stale after a reconnect or a truncated change, never a query that is not live', async () => {
    const reconnect = cache();
    await invalidateLiveQueries(reconnect.client, 'all');
    expect(reconnect.invalidated()).toEqual(['/identities/alice/permissions', '/jobs']);

    const truncated = cache();
    await invalidateLiveQueries(truncated.client, [{ ...change(), truncated: true }]);
    expect(truncated.invalidated()).toEqual(['/identities/alice/permissions', '/jobs']);
  });

  it('leaves the cache alone for a change nobody follows', async () => {
    const { client, invalidated } = cache();
    await invalidateLiveQueries(client, [change('sync-hr_app')]);
    expect(invalidated()).toEqual([]);
  });
});
