/**
 * Seeds the scale benchmark's store: assignments with their real event sequence (decided by the
 * domain's own decider, so the projections accept them), written through the store's batch
 * append (appendMany), not the API.
 */
import { randomUUID } from 'node:crypto';
import {
  type AssignmentCommand,
  type AssignmentEvent,
  assignmentDecider,
  assignmentStreamName,
  foldEvents,
} from '@prov/domain';
import type { EventData, PostgresEventStore } from '@prov/event-store';

const now = new Date('2026-11-01T10:00:00.000Z');

/** The events of one assignment: requested, an automatic order generated, executed by the agent. */
export function assignmentEvents(index: number, identities: number): { stream: string; events: EventData[] } {
  const assignmentId = randomUUID();
  const identityId = `identity-${index % identities}`;
  const orderId = `o-${assignmentId}`;
  const commands: AssignmentCommand[] = [
    { type: 'RequestAssignment', assignmentId, identityId, entitlementId: `ent-${index % 50}`, now },
    {
      type: 'GenerateProvisioningOrder',
      assignmentId,
      orderId,
      changeType: 'Added',
      connectionId: `conn-${index % 8}`,
      resourceTypeId: 'account',
      fulfillment: 'automatic',
      changes: { accountKey: identityId, attributes: {}, group: `g-${index % 50}` },
      requiresReview: false,
      now,
    },
    { type: 'ReportProvisioningOrderExecuted', assignmentId, orderId, by: 'agent', now },
  ] as AssignmentCommand[];
  const events: AssignmentEvent[] = [];
  for (const command of commands) {
    events.push(...assignmentDecider.decide(command, foldEvents(assignmentDecider, events)));
  }
  const metadata = { actor: 'bench', correlationId: randomUUID() };
  return {
    stream: assignmentStreamName(assignmentId),
    events: events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata })),
  };
}

/** Writes `count` assignments in batches of `perBatch`, two batches on their way at a time. */
export async function seed(
  store: PostgresEventStore,
  count: number,
  identities: number,
  onProgress: (done: number) => void,
  perBatch = 500,
): Promise<number> {
  let next = 0;
  let events = 0;
  const worker = async () => {
    while (next < count) {
      const from = next;
      next = Math.min(count, next + perBatch);
      const batch = Array.from({ length: next - from }, (_, i) => assignmentEvents(from + i, identities));
      const outcomes = await store.appendMany(
        batch.map((b) => ({ streamName: b.stream, events: b.events, expectedRevision: 'no_stream' as const })),
      );
      const failed = outcomes.find((o) => !o.ok);
      if (failed && !failed.ok) throw failed.error;
      events += batch.reduce((n, b) => n + b.events.length, 0);
      onProgress(next);
    }
  };
  await Promise.all([worker(), worker()]);
  return events;
}
