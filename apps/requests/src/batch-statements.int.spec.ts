import { commandMetadata } from '@prov/command-handling';
import { assignmentStreamName, identityStreamName } from '@prov/domain';
import { PostgresEventStore } from '@prov/event-store';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { eachItem } from './batch-items';
import { EntitlementHoldings } from './lifecycle/entitlement-holdings';

jest.setTimeout(120_000);

/**
 * What a bulk request (`request-assignment-batch`) costs PostgreSQL per item (ADR 0045, ADR 0051):
 * its items run at once, so their appends share the group commit's statements; an identity this
 * process registered is not read again before its new holding is appended, and those it does not
 * know are read together (ADR 0072).
 */
const ITEMS = 200;
const now = new Date('2030-01-01T08:00:00.000Z');
const metadata = commandMetadata({ actor: 'admin' }, now);
const ids = Array.from({ length: ITEMS }, (_, i) => `bulk.${i}`);

describe('a batch of assignment requests on PostgreSQL', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let statements: string[];

  beforeAll(async () => {
    db = await createTestDatabase('requests_batch');
    store = await PostgresEventStore.connect(db.url);
    statements = [];
    const query = store.pool.query.bind(store.pool) as (...args: unknown[]) => unknown;
    (store.pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
      const first = args[0] as string | { text: string };
      statements.push(typeof first === 'string' ? first : first.text);
      return query(...args);
    };
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const register = (holdings: EntitlementHoldings) =>
    Promise.all(
      ids.map((identityId) =>
        holdings.identityCommand(
          {
            type: 'RegisterIdentity',
            identityId,
            login: identityId,
            firstName: 'Bulk',
            lastName: identityId,
            email: `${identityId}@example.test`,
            now,
            actor: 'admin',
          },
          metadata,
        ),
      ),
    );

  const requestAll = (holdings: EntitlementHoldings, entitlementId: string) =>
    eachItem(
      'prov.cmd.requests.request-assignment-batch',
      { items: ids.map((identityId) => ({ identityId, entitlementId })), actor: 'admin' },
      (item) => holdings.hold({ ...item, holder: 'request', now, actor: item.actor, metadata }),
    );

  const count = (prefix: string) => statements.filter((text) => text.trimStart().startsWith(prefix)).length;

  it('costs well under one statement per item for identities the process knows, reading no stream', async () => {
    const holdings = new EntitlementHoldings(store);
    await register(holdings);
    statements.length = 0;
    const { results } = await requestAll(holdings, 'ldap_staff');
    expect(results.every((result) => 'value' in result && result.value.created)).toBe(true);
    expect(count('SELECT s.tombstoned')).toBe(0);
    // Two appends per item (the holding, the new assignment), group-committed.
    expect(statements.length).toBeLessThan(ITEMS * 0.25);
    const [first] = results as { value: { assignmentId: string } }[];
    expect((await store.readStream(assignmentStreamName(first.value.assignmentId))).length).toBe(1);
  });

  it('reads each identity once when the process knows none of them (a restart), the reads sharing statements as the appends do', async () => {
    const restarted = new EntitlementHoldings(store);
    statements.length = 0;
    const { results } = await requestAll(restarted, 'vpn');
    expect(results.every((result) => 'value' in result && result.value.created)).toBe(true);
    // One `readStreams` statement for the identities asked together (ADR 0072), none alone.
    expect(count('SELECT s.tombstoned')).toBe(0);
    expect(count('SELECT n.i')).toBeGreaterThan(0);
    expect(count('SELECT n.i')).toBeLessThan(ITEMS * 0.05);
    // The holding at the revision read and the new assignment in one append, group-committed.
    expect(statements.length).toBeLessThan(ITEMS * 0.25);
    const held = (await store.readStream(identityStreamName(ids[0]))).map((e) => e.type);
    expect(held).toEqual(['IdentityRegistered', 'EntitlementHeld', 'EntitlementHeld']);
  });
});
