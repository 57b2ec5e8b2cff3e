import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { commandMetadata, handleCommand } from '@prov/command-handling';
import type { TimerSettings } from '@prov/config';
import {
  type AssignmentCommand,
  assignmentDecider,
  type AssignmentEvent,
  assignmentStreamName,
  foldEvents,
  type AssignmentState,
  jobDecider,
  jobStreamName,
  type ProvisioningOrder,
} from '@prov/domain';
import { type EventData, PostgresEventStore } from '@prov/event-store';
import { Projector } from '@prov/read-models';
import { parseRoleModel } from '@prov/role-model';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { AssignmentCommands } from './assignment-commands';
import { JobFulfilment } from './job-fulfilment';
import type { OrderDispatcher } from './order-dispatcher';

jest.setTimeout(300_000);

/**
 * The complete job's fulfil task (ADR 0056) on the PostgreSQL store and read models: the orders
 * an evaluation just generated are found in the read models once they show the task's start (no
 * list of them is handed over), each is dispatched once, and the wait for their reports is one
 * statement a poll, however many orders there are (it used to be one per order and poll).
 */
const ORDERS = 40;
const now = new Date('2026-11-01T10:00:00.000Z');
const model = parseRoleModel(
  [
    'version: 1',
    'connections:',
    '  - id: app\n    name: App\n    connector: sql\n    fulfillment: automatic\n    settings:\n      connectionStringEnv: APP_URL\n      schema: app',
    'resourceTypes:',
    '  - id: account\n    name: Account\n    connection: app\n    accountKey: login',
    'entitlements:',
    '  - id: ent\n    name: Entitlement\n    resourceType: account\n    group: g',
    '',
  ].join('\n'),
  'fulfilment.yaml',
);

const data = (events: readonly { type: string; data: unknown }[]): EventData[] =>
  events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata: { actor: 'test' } }));

/** An assignment with one Pending automatic order, as an evaluation leaves it. */
function pendingAssignment(index: number) {
  const assignmentId = randomUUID();
  const base = { assignmentId, now };
  const commands: AssignmentCommand[] = [
    { ...base, type: 'RequestAssignment', identityId: `identity-${index}`, entitlementId: 'ent' },
    {
      ...base,
      type: 'GenerateProvisioningOrder',
      orderId: `o-${assignmentId}`,
      ...{ changeType: 'Added', connectionId: 'app', resourceTypeId: 'account', fulfillment: 'automatic' },
      requiresReview: false,
      changes: { accountKey: `user${index}`, attributes: {} },
      roleModelVersion: model.hash,
    },
  ];
  const events: AssignmentEvent[] = [];
  for (const command of commands)
    events.push(...assignmentDecider.decide(command, foldEvents(assignmentDecider, events)));
  return { streamName: assignmentStreamName(assignmentId), events: data(events) };
}

/** The agent: takes what is published and reports it executed a moment later, as a real one would. */
class ReportingDispatcher {
  readonly published: string[] = [];
  readonly reports: Promise<unknown>[] = [];
  constructor(private readonly assignments: AssignmentCommands) {}

  publish(state: AssignmentState & { exists: true }, order: ProvisioningOrder) {
    this.published.push(order.orderId);
    const metadata = commandMetadata({ actor: 'agent', correlationId: order.orderId }, new Date());
    const report: AssignmentCommand = {
      type: 'ReportProvisioningOrderExecuted',
      assignmentId: state.assignmentId,
      orderId: order.orderId,
      by: 'agent',
      now: new Date(),
    };
    this.reports.push(
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        this.assignments.execute(state.assignmentId, report, metadata),
      ),
    );
    return Promise.resolve({ duplicate: false });
  }
}

describe("the complete job's fulfil task", () => {
  let db: TestDatabase;
  let pool: Pool;
  /** The fulfil task's own pool, its statements counted. */
  let taskPool: Pool;
  let store: PostgresEventStore;
  let projector: Projector | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('fulfilment');
    pool = new Pool({ connectionString: db.url, max: 10 });
    taskPool = new Pool({ connectionString: db.url, max: 4 });
    store = await PostgresEventStore.connect({ pool });
    projector = new Projector(pool, store);
    await projector.replayToEnd(); // the read models' schema, empty
  });

  afterAll(async () => {
    await projector?.stop();
    await store?.close();
    await pool?.end();
    await taskPool?.end();
    await db?.drop();
  });

  it('dispatches the orders the read models show once they show its start, each once, and polls with one statement', async () => {
    // What the evaluation appended, then the task's start; the read models do not show them yet.
    const outcomes = await store.appendMany(Array.from({ length: ORDERS }, (_, i) => pendingAssignment(i)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const jobId = randomUUID();
    const metadata = commandMetadata({ actor: 'test', correlationId: jobId }, now);
    const tasks = ['fulfil'];
    await handleCommand(
      store,
      jobDecider,
      jobStreamName(jobId),
      {
        type: 'StartJob',
        ...{ jobId, kind: 'complete', tasks, trigger: 'api', now, actor: 'test' },
      },
      { metadata },
    );
    await handleCommand(
      store,
      jobDecider,
      jobStreamName(jobId),
      {
        type: 'StartJobTask',
        ...{ jobId, task: 'fulfil', now },
      },
      { metadata },
    );

    const assignments = new AssignmentCommands(store, model);
    const agent = new ReportingDispatcher(assignments);
    const statements: string[] = [];
    const query = taskPool.query.bind(taskPool);
    taskPool.query = ((text: string | { text: string }, ...rest: unknown[]) => {
      statements.push(typeof text === 'string' ? text : text.text);
      return (query as (...args: unknown[]) => unknown)(text, ...rest);
    }) as typeof taskPool.query;
    const settings = { fulfilTimeoutMs: 60_000 } as TimerSettings;
    const fulfilment = new JobFulfilment(
      taskPool,
      settings,
      assignments,
      agent as unknown as OrderDispatcher,
    );

    // The projector comes a little later: the task waits for it instead of being told the orders.
    const later = new Promise((resolve) => setTimeout(resolve, 300)).then(() => projector!.start());
    const result = await fulfilment.fulfil(jobId, { shownTask: 'fulfil' });
    await later;
    await Promise.all(agent.reports);

    expect(result.errors).toEqual([]);
    expect(result.counts).toMatchObject({
      pending: ORDERS,
      published: ORDERS,
      waitedFor: ORDERS,
      reported: ORDERS,
      stillPending: 0,
    });
    expect(new Set(agent.published).size).toBe(ORDERS);
    expect(agent.published).toHaveLength(ORDERS);
    // The scan's page and a few polls: not a statement per order.
    const orderReads = statements.filter((text) => /\borders\b/.test(text));
    expect(orderReads.length).toBeLessThan(ORDERS / 2);
  });
});
