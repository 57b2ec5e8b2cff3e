import { randomUUID } from 'node:crypto';
import type { CommandOutcome, EventMetadata } from '@prov/command-handling';
import {
  assignmentDecider,
  type AssignmentCommand,
  assignmentStreamName,
  type EntitlementHolder,
  type IdentityCommand,
  identityDecider,
  type IdentityEvent,
  type IdentityState,
} from '@prov/domain';
import { type EventStore, WrongExpectedVersionError } from '@prov/event-store';

/**
 * The commands of a new holding, and the one-round-trip path of ADR 0061: a holding decided on
 * the identity as `EntitlementHoldings` last knew it, appended with its assignment's request.
 */

/** What `EntitlementHoldings.hold` is asked for. */
export interface HoldRequest {
  identityId: string;
  entitlementId: string;
  holder: EntitlementHolder;
  /** The id for a new assignment; an existing one is kept. */
  assignmentId?: string;
  startsAt?: Date;
  endsAt?: Date;
  comment?: string;
  actor: string;
  now: Date;
  metadata: EventMetadata;
}

/**
 * The holding and the new assignment's request, decided on the guess and on a stream not yet
 * written, appended as one (`appendToStreams`): the holding at the known revision, the
 * assignment as a new stream. Undefined, with nothing written, when a decision says nothing or
 * throws or either revision is refused (a caller's assignment id already used, say); the caller
 * then takes the path that reads.
 */
export async function holdAndRequestOnGuess(
  store: EventStore,
  streamName: string,
  hold: Extract<IdentityCommand, { type: 'HoldEntitlement' }>,
  guess: { state: IdentityState; revision: bigint | undefined },
  request: HoldRequest,
): Promise<CommandOutcome<IdentityState, IdentityEvent> | undefined> {
  let held: IdentityEvent[];
  let requested: ReturnType<typeof assignmentDecider.decide>;
  try {
    held = identityDecider.decide(hold, guess.state);
    requested = assignmentDecider.decide(
      requestCommand(hold.assignmentId, request),
      assignmentDecider.initialState(),
    );
  } catch {
    return undefined;
  }
  if (held.length === 0 || requested.length === 0) return undefined;
  const events = (decided: readonly { type: string; data: unknown }[]) =>
    decided.map((event) => ({
      id: randomUUID(),
      type: event.type,
      data: event.data,
      metadata: request.metadata,
    }));
  try {
    const [identity] = await store.appendToStreams!([
      {
        streamName,
        events: events(held),
        expectedRevision: guess.revision === undefined ? 'no_stream' : guess.revision,
      },
      {
        streamName: assignmentStreamName(hold.assignmentId),
        events: events(requested),
        expectedRevision: 'no_stream',
      },
    ]);
    const state = held.reduce((current, event) => identityDecider.evolve(current, event), guess.state);
    return { events: held, state, nextExpectedRevision: identity.nextExpectedRevision };
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) return undefined;
    throw error;
  }
}

export function holdCommand(request: HoldRequest): Extract<IdentityCommand, { type: 'HoldEntitlement' }> {
  const { identityId, entitlementId, holder, now, actor } = request;
  const assignmentId = request.assignmentId ?? randomUUID();
  return { type: 'HoldEntitlement', identityId, entitlementId, assignmentId, holder, now, actor };
}

export function requestCommand(assignmentId: string, request: HoldRequest): AssignmentCommand {
  return {
    type: 'RequestAssignment',
    assignmentId,
    identityId: request.identityId,
    entitlementId: request.entitlementId,
    startsAt: request.startsAt,
    endsAt: request.endsAt,
    comment: request.comment,
    now: request.now,
    actor: request.actor,
  };
}
