/**
 * Seeds the scale benchmark's store with the events a real load leaves behind, decided by the
 * domain's own deciders (so the projections accept them) and written through the store's batch
 * append (appendMany), not the API:
 * - one registration per identity;
 * - per assignment: the hold on the identity's stream (EntitlementHeld) and the assignment's own
 *   stream (requested, automatic order generated, executed).
 * An identity's holds are spread over the whole log (assignment i belongs to identity i mod N), so
 * a replay meets most identities again long after the page that registered them.
 */
import { randomUUID } from 'node:crypto';
import {
  type AssignmentCommand,
  type AssignmentEvent,
  assignmentDecider,
  assignmentStreamName,
  foldEvents,
  identityDecider,
  type IdentityEvent,
  identityStreamName,
} from '@prov/domain';
import type { EventData, PostgresEventStore } from '@prov/event-store';

const now = new Date('2026-11-01T10:00:00.000Z');

type Append = Parameters<PostgresEventStore['appendMany']>[0][number];

function toEventData(events: readonly { type: string; data: unknown }[]): EventData[] {
  const metadata = { actor: 'bench', correlationId: randomUUID() };
  return events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata }));
}

function identityId(index: number): string {
  return `identity-${index}`;
}

function registration(index: number): Append {
  const events = identityDecider.decide(
    {
      type: 'RegisterIdentity',
      identityId: identityId(index),
      login: `user${index}`,
      firstName: 'Bench',
      lastName: `User ${index}`,
      email: `user${index}@example.test`,
      department: `dept-${index % 20}`,
      now,
    },
    identityDecider.initialState(),
  );
  return {
    streamName: identityStreamName(identityId(index)),
    events: toEventData(events),
    expectedRevision: 'no_stream',
  };
}

/** The appends of one assignment: its hold on the identity, then its own stream. */
export function assignmentAppends(index: number, identities: number): Append[] {
  const assignmentId = randomUUID();
  const owner = identityId(index % identities);
  // Each of an identity's assignments is for another entitlement (a second hold on the same
  // entitlement would join the first assignment instead of creating one).
  const entitlementId = `ent-${(index + Math.floor(index / identities)) % 50}`;
  const registered = foldEvents(
    identityDecider,
    registration(index % identities).events as unknown as IdentityEvent[],
  );
  const hold = identityDecider.decide(
    { type: 'HoldEntitlement', identityId: owner, entitlementId, assignmentId, holder: 'request', now },
    registered,
  );
  const orderId = `o-${assignmentId}`;
  const commands: AssignmentCommand[] = [
    { type: 'RequestAssignment', assignmentId, identityId: owner, entitlementId, now },
    {
      type: 'GenerateProvisioningOrder',
      assignmentId,
      orderId,
      changeType: 'Added',
      connectionId: `conn-${index % 8}`,
      resourceTypeId: 'account',
      fulfillment: 'automatic',
      changes: { accountKey: owner, attributes: {}, group: `g-${index % 50}` },
      requiresReview: false,
      now,
    },
    { type: 'ReportProvisioningOrderExecuted', assignmentId, orderId, by: 'agent', now },
  ] as AssignmentCommand[];
  const events: AssignmentEvent[] = [];
  for (const command of commands) {
    events.push(...assignmentDecider.decide(command, foldEvents(assignmentDecider, events)));
  }
  return [
    { streamName: identityStreamName(owner), events: toEventData(hold), expectedRevision: 'any' },
    {
      streamName: assignmentStreamName(assignmentId),
      events: toEventData(events),
      expectedRevision: 'no_stream',
    },
  ];
}

async function appendAll(store: PostgresEventStore, appends: Append[]): Promise<number> {
  const outcomes = await store.appendMany(appends);
  const failed = outcomes.find((o) => !o.ok);
  if (failed && !failed.ok) throw failed.error;
  return appends.reduce((n, a) => n + a.events.length, 0);
}

/** Writes the identities, then `count` assignments in batches of `perBatch`, two batches on their way at a time. */
export async function seed(
  store: PostgresEventStore,
  count: number,
  identities: number,
  onProgress: (done: number) => void,
  perBatch = 500,
): Promise<number> {
  let events = 0;
  const inBatches = async (
    total: number,
    make: (index: number) => Append[],
    progress?: (done: number) => void,
  ) => {
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const from = next;
        next = Math.min(total, next + perBatch);
        const to = next;
        const written = await appendAll(
          store,
          Array.from({ length: to - from }, (_, i) => make(from + i)).flat(),
        );
        events += written;
        progress?.(to);
      }
    };
    await Promise.all([worker(), worker()]);
  };
  await inBatches(identities, (i) => [registration(i)]);
  await inBatches(count, (i) => assignmentAppends(i, identities), onProgress);
  return events;
}
