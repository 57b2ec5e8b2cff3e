import { randomUUID } from 'node:crypto';
import { commandMetadata } from '@prov/command-handling';
import { ProvisioningState } from '@prov/domain';
import { PostgresEventStore } from '@prov/event-store';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { AssignmentCommands } from './assignment-commands';
import { ReportsHandler } from './reports.handler';
import type { SynchronizationService } from './synchronization.service';
import type { OrderDispatcher } from './order-dispatcher';

jest.setTimeout(120_000);

/**
 * What one report-batch command of an agent costs PostgreSQL (ADR 0054, ADR 0060): the items are
 * decided on what this process wrote (no read), and their appends, submitted in one turn, leave
 * as one group-commit statement, even while the group commit has free slots.
 */
const ITEMS = 24;
const now = new Date('2030-01-01T08:00:00.000Z');

describe('a batch of order reports on PostgreSQL', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let query: jest.SpiedFunction<PostgresEventStore['pool']['query']>;

  beforeAll(async () => {
    db = await createTestDatabase('orders_report_batch');
    store = await PostgresEventStore.connect(db.url);
    query = jest.spyOn(store.pool, 'query');
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  /** Append statements, and stream reads (one stream or several), since the spy was cleared. */
  function counted() {
    const texts = query.mock.calls.map((call) => {
      const first = call[0] as string | { text: string };
      return typeof first === 'string' ? first : first.text;
    });
    return {
      appends: texts.filter((text) => text.includes('es.append_group')).length,
      reads: texts.filter((text) => /FROM es\.streams|FROM unnest/.test(text)).length,
    };
  }

  /** The agent's report-batch command: every order executed. */
  const reportAll = (reports: ReportsHandler, orders: { assignmentId: string; orderId: string }[]) =>
    reports.reportBatch({
      items: orders.map(({ assignmentId, orderId }) => ({
        assignmentId,
        orderId,
        attempt: 1,
        outcome: 'executed' as const,
      })),
    });

  /** An assignment with a Pending order, written through `assignments` (so it knows them). */
  async function pendingOrder(assignments: AssignmentCommands) {
    const assignmentId = randomUUID();
    const orderId = randomUUID();
    const base = { assignmentId, now, actor: 'test' };
    const metadata = commandMetadata({ actor: 'test' }, now);
    await assignments.execute(
      assignmentId,
      { ...base, type: 'RequestAssignment', identityId: `i-${assignmentId}`, entitlementId: 'ldap_staff' },
      metadata,
    );
    await assignments.execute(
      assignmentId,
      {
        ...base,
        type: 'GenerateProvisioningOrder',
        orderId,
        changeType: 'Added',
        connectionId: 'corp_ldap',
        resourceTypeId: 'account',
        fulfillment: 'automatic',
        changes: { accountKey: assignmentId },
        requiresReview: false,
      },
      metadata,
    );
    return { assignmentId, orderId };
  }

  it('records every report of the batch in one append statement, reading no stream', async () => {
    const assignments = new AssignmentCommands(store);
    const reports = new ReportsHandler(assignments, {} as SynchronizationService, {} as OrderDispatcher);
    const orders = [];
    for (let i = 0; i < ITEMS; i++) orders.push(await pendingOrder(assignments));
    query.mockClear();

    const reply = await reportAll(reports, orders);

    expect(reply.results).toEqual(
      orders.map(() => ({ value: { recorded: true, provisioningStateCode: ProvisioningState.Executed } })),
    );
    expect(counted()).toEqual({ appends: 1, reads: 0 });
  });

  it('reads the assignments it does not know (a restart) in one statement, then appends in one', async () => {
    const writer = new AssignmentCommands(store);
    const orders = [];
    for (let i = 0; i < ITEMS; i++) orders.push(await pendingOrder(writer));
    const reports = new ReportsHandler(
      new AssignmentCommands(store),
      {} as SynchronizationService,
      {} as OrderDispatcher,
    );
    query.mockClear();

    const reply = await reportAll(reports, orders);

    expect(reply.results.every((result) => 'value' in result && result.value.recorded)).toBe(true);
    expect(counted()).toEqual({ appends: 1, reads: 1 });
  });
});
