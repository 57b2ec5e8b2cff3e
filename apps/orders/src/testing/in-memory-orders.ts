import { join } from 'node:path';
import type { Pool } from 'pg';
import { commandMetadata, handleCommand } from '@prov/command-handling';
import {
  type Assignment,
  type AssignmentState,
  assignmentStreamName,
  identityDecider,
  identityStreamName,
  type ProvisioningOrder,
} from '@prov/domain';
import { type EventStore, InMemoryEventStore, type RecordedEvent } from '@prov/event-store';
import type { OrderEnvelope } from '@prov/messaging';
import { loadRoleModel } from '@prov/role-model';
import { AccountOwnership } from '../account-ownership';
import { AssignmentCommands } from '../assignment-commands';
import { type OrderDispatcher, orderEnvelope } from '../order-dispatcher';

/**
 * The orders service's parts on the in-memory event store, for unit tests of its reactions and
 * handlers without processes: the sample role model (deploy/), the real AssignmentCommands and
 * AccountOwnership, and a dispatcher that records what it would publish. The read model the
 * ownership check also asks (orders older than key claims) is empty here.
 */
export const SAMPLE_ROLE_MODEL = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'deploy',
  'role-model',
  'sample.yaml',
);

/** Stands in for the JetStream work queue: the message id `<orderId>:<attempt>` drops a repeat, as there. */
export class RecordingDispatcher {
  readonly published: OrderEnvelope[] = [];

  async publish(assignment: Assignment, order: ProvisioningOrder): Promise<{ duplicate: boolean }> {
    const envelope = orderEnvelope(assignment, order);
    const duplicate = this.published.some(
      (p) => p.orderId === envelope.orderId && p.attempt === envelope.attempt,
    );
    if (!duplicate) this.published.push(envelope);
    return { duplicate };
  }

  /** Sent again after a stale order: always a message of its own, as there (once per stale order). */
  async reapply(assignment: Assignment, order: ProvisioningOrder): Promise<void> {
    this.published.push(orderEnvelope(assignment, order));
  }
}

/** A pool whose read model holds no rows: every query answers nothing. */
const emptyReadModel = { query: async () => ({ rows: [] }) } as unknown as Pool;

/** `store` lets a test watch what reaches the store (a wrapper around an in-memory one). */
export function inMemoryOrders(store: EventStore = new InMemoryEventStore()) {
  const roleModel = loadRoleModel(SAMPLE_ROLE_MODEL);
  const assignments = new AssignmentCommands(store, roleModel);
  const ownership = new AccountOwnership(store, emptyReadModel, assignments);
  const recording = new RecordingDispatcher();
  const dispatcher = recording as unknown as OrderDispatcher;
  const metadata = () => commandMetadata({ actor: 'test' }, new Date());

  return {
    store,
    roleModel,
    assignments,
    ownership,
    dispatcher,
    published: recording.published,

    async registerIdentity(identityId: string, login: string, department = 'Engineering') {
      await handleCommand(
        store,
        identityDecider,
        identityStreamName(identityId),
        {
          type: 'RegisterIdentity',
          identityId,
          login,
          firstName: 'Jane',
          lastName: 'Doe',
          email: `${login}@example.org`,
          department,
          now: new Date(),
          actor: 'test',
        },
        { metadata: metadata() },
      );
    },

    async updateIdentity(
      identityId: string,
      changes: { login?: string; department?: string; attributes?: Record<string, string> },
    ) {
      const outcome = await handleCommand(
        store,
        identityDecider,
        identityStreamName(identityId),
        { type: 'UpdateIdentity', identityId, ...changes, now: new Date(), actor: 'test' },
        { metadata: metadata() },
      );
      return outcome;
    },

    /** The identity holds the entitlement through the assignment (the requests service records it). */
    async hold(identityId: string, entitlementId: string, assignmentId: string) {
      await handleCommand(
        store,
        identityDecider,
        identityStreamName(identityId),
        {
          type: 'HoldEntitlement',
          identityId,
          entitlementId,
          assignmentId,
          holder: 'request',
          now: new Date(),
        },
        { metadata: metadata() },
      );
    },

    /** Requests the assignment and returns the recorded AssignmentRequested event. */
    async request(assignmentId: string, identityId: string, entitlementId: string): Promise<RecordedEvent> {
      await assignments.execute(
        assignmentId,
        {
          type: 'RequestAssignment',
          assignmentId,
          identityId,
          entitlementId,
          now: new Date(),
          actor: 'test',
        },
        metadata(),
      );
      return (await this.events(assignmentId)).find((e) => e.type === 'AssignmentRequested')!;
    },

    async revoke(assignmentId: string): Promise<RecordedEvent> {
      await assignments.execute(
        assignmentId,
        { type: 'RevokeAssignment', assignmentId, now: new Date(), actor: 'test' },
        metadata(),
      );
      return (await this.events(assignmentId)).find((e) => e.type === 'AssignmentRevoked')!;
    },

    events: (assignmentId: string) => store.readStream(assignmentStreamName(assignmentId)),
    load: (assignmentId: string): Promise<AssignmentState> => assignments.load(assignmentId),
    metadata,
  };
}

export type InMemoryOrders = ReturnType<typeof inMemoryOrders>;

/** The assignment's orders, oldest first (by generation order of the stream). */
export function ordersOf(state: AssignmentState): ProvisioningOrder[] {
  return state.exists ? Object.values(state.orders) : [];
}
