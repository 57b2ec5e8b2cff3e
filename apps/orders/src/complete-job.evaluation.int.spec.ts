import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { deterministicUuid } from '@prov/command-handling';
import {
  type AssignmentCommand,
  assignmentDecider,
  type AssignmentEvent,
  assignmentStreamName,
  currentOrder,
  foldEvents,
  identityDecider,
  type IdentityState,
  identityStreamName,
  type RegisteredIdentity,
} from '@prov/domain';
import { type EventData, PostgresEventStore } from '@prov/event-store';
import { identityAttributes } from '@prov/platform';
import { Projector } from '@prov/read-models';
import { parseRoleModel, type RoleModel } from '@prov/role-model';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { AccountOwnership } from './account-ownership';
import { AssignmentCommands } from './assignment-commands';
import { OrderGenerationReaction } from './order-generation.reaction';
import { OrderMaintenance } from './order-maintenance';

jest.setTimeout(300_000);

/**
 * The complete job's evaluation of the role model (ADR 0048) on the PostgreSQL store and read
 * models: 40 identities with 3 assignments each, and one with 30 (more than one read's worth),
 * every order computed and executed with the model in force. Evaluated with that model nothing
 * changes; with a model whose attributes differ every assignment gets its Modified order, once.
 */
const IDENTITIES = 40;
const PER_IDENTITY = 3;
const BIG = 30;
const now = new Date('2026-11-01T10:00:00.000Z');

function model(department: string): RoleModel {
  const entitlements = Array.from(
    { length: BIG },
    (_, k) => `  - id: ent_${k}\n    name: Entitlement ${k}\n    resourceType: account\n    group: g_${k}`,
  );
  return parseRoleModel(
    [
      'version: 1',
      'connections:',
      '  - id: app\n    name: App\n    connector: sql\n    fulfillment: automatic\n    settings:\n      connectionStringEnv: APP_URL\n      schema: app',
      'resourceTypes:',
      `  - id: account\n    name: Account\n    connection: app\n    accountKey: login\n    attributes:\n      department: ${department}`,
      'entitlements:',
      ...entitlements,
      '',
    ].join('\n'),
    'evaluation.yaml',
  );
}

const data = (events: readonly { type: string; data: unknown }[]): EventData[] =>
  events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata: { actor: 'test' } }));

/** An identity's registration and its assignments, each with an executed order of `inForce`. */
function identityAppends(index: number, assignments: number, inForce: RoleModel) {
  const identityId = `identity-${index}`;
  const registered = identityDecider.decide(
    {
      type: 'RegisterIdentity',
      identityId,
      login: `user${index}`,
      firstName: 'Test',
      lastName: `User ${index}`,
      email: `user${index}@example.test`,
      department: `dept-${index % 3}`,
      now,
    },
    identityDecider.initialState(),
  );
  const identity = foldEvents(identityDecider, registered) as RegisteredIdentity;
  const appends = [{ streamName: identityStreamName(identityId), events: data(registered) }];
  for (let k = 0; k < assignments; k++) {
    const assignmentId = randomUUID();
    const { changes, connectionId, resourceTypeId, fulfillment } = inForce.evaluate(
      identityAttributes(identity),
      `ent_${k}`,
    );
    const base = { assignmentId, now };
    const commands: AssignmentCommand[] = [
      { ...base, type: 'RequestAssignment', identityId, entitlementId: `ent_${k}` },
      {
        ...base,
        type: 'GenerateProvisioningOrder',
        orderId: `o-${assignmentId}`,
        ...{ changeType: 'Added', connectionId, resourceTypeId, fulfillment, requiresReview: false },
        changes: changes as unknown as Record<string, unknown>,
        roleModelVersion: inForce.hash,
      },
      { ...base, type: 'ReportProvisioningOrderExecuted', orderId: `o-${assignmentId}`, by: 'agent' },
    ];
    const events: AssignmentEvent[] = [];
    for (const command of commands)
      events.push(...assignmentDecider.decide(command, foldEvents(assignmentDecider, events)));
    appends.push({ streamName: assignmentStreamName(assignmentId), events: data(events) });
  }
  return appends;
}

/** The orders service's commands, counting the identity streams the evaluation reads. */
class CountingCommands extends AssignmentCommands {
  identityReads = 0;
  override identity(identityId: string): Promise<IdentityState> {
    this.identityReads++;
    return super.identity(identityId);
  }
}

describe("the complete job's evaluation of the role model, by identity", () => {
  const inForce = model('department');
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;

  function evaluation(roleModel: RoleModel) {
    const assignments = new CountingCommands(store, roleModel);
    const ownership = new AccountOwnership(store, pool, assignments);
    const generation = new OrderGenerationReaction(assignments, roleModel, ownership);
    return {
      assignments,
      maintenance: new OrderMaintenance(pool, assignments, generation, roleModel, ownership),
    };
  }

  beforeAll(async () => {
    db = await createTestDatabase('evaluation');
    pool = new Pool({ connectionString: db.url, max: 10 });
    store = await PostgresEventStore.connect({ pool });
    const appends = Array.from({ length: IDENTITIES }, (_, i) => identityAppends(i, PER_IDENTITY, inForce));
    appends.push(identityAppends(IDENTITIES, BIG, inForce));
    const outcomes = await store.appendMany(appends.flat());
    expect(outcomes.every((o) => o.ok)).toBe(true);
    await new Projector(pool, store).replayToEnd();
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  const total = IDENTITIES * PER_IDENTITY + BIG;

  it('with the model in force: every live assignment evaluated, nothing changed, each identity read once per read of its assignments', async () => {
    const { assignments, maintenance } = evaluation(inForce);
    const changed: string[] = [];
    const progress: number[] = [];
    const result = await maintenance.evaluateRoleModel(
      'job-1',
      (id) => changed.push(id),
      (n) => progress.push(n),
    );
    expect(result.errors).toEqual([]);
    expect(result.counts).toMatchObject({ evaluated: total, assignments: total, modified: 0, generated: 0 });
    expect(result.counts.assignmentsPerSecond).toBeGreaterThan(0);
    expect(changed).toEqual([]);
    expect(progress.at(-1)).toBe(total);
    // One read per identity, and two for the identity whose 30 assignments take two reads of 25.
    expect(assignments.identityReads).toBe(IDENTITIES + 2);
  });

  it('with a model whose attributes differ: every assignment gets its Modified order under the deterministic id, once', async () => {
    const changedModel = model('upper(department)');
    const { maintenance } = evaluation(changedModel);
    const changed: string[] = [];
    const result = await maintenance.evaluateRoleModel('job-2', (id) => changed.push(id));
    expect(result.errors).toEqual([]);
    expect(result.counts).toMatchObject({ evaluated: total, modified: total });
    expect(new Set(changed).size).toBe(total);
    const reader = new AssignmentCommands(store, changedModel);
    for (const assignmentId of changed) {
      const state = await reader.load(assignmentId);
      const order = currentOrder(state)!;
      expect(order).toMatchObject({
        orderId: deterministicUuid('order', assignmentId, changedModel.hash, `o-${assignmentId}`),
        changeType: 'Modified',
      });
      expect((order.changes as { attributes: { department: string } }).attributes.department).toMatch(
        /^DEPT-/,
      );
    }
    // The streams moved on and the read model may not show it yet: a second run decides on the
    // streams, finds the orders already asked for, and appends nothing.
    const again = await evaluation(changedModel).maintenance.evaluateRoleModel('job-3');
    expect(again.counts).toMatchObject({ evaluated: total, modified: 0 });
  });
});
