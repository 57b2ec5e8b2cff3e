import {
  type Assignment,
  type AssignmentEvent,
  evolveAssignment,
  evolveIdentity,
  type IdentityEvent,
  initialAssignmentState,
  initialIdentityState,
  type RegisteredIdentity,
} from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { type AssignmentView, toAssignmentView } from '../queries/views';

/**
 * The read models as they were at an instant, folded from the streams involved with the same
 * `evolve` functions the projections use, so "as of now" cannot disagree with the live rows.
 * Pure: the caller reads the streams, these functions only fold.
 */

/** When the event happened: its `occurredAt` (set by the command side), else when it was stored. */
export function occurredAt(event: RecordedEvent): Date {
  const at = event.metadata.occurredAt;
  return typeof at === 'string' ? new Date(at) : event.createdAt;
}

function happenedBy(events: readonly RecordedEvent[], instant: Date): RecordedEvent[] {
  return events.filter((event) => occurredAt(event) <= instant);
}

/** One assignment as of the instant with the revision of its last event by then; undefined before its request. */
export function assignmentAsOf(
  events: readonly RecordedEvent[],
  instant: Date,
): { state: Assignment; revision: bigint } | undefined {
  const happened = happenedBy(events, instant);
  const state = happened.reduce(
    (current, event) => evolveAssignment(current, { type: event.type, data: event.data } as AssignmentEvent),
    initialAssignmentState(),
  );
  return state.exists ? { state, revision: happened[happened.length - 1].revision } : undefined;
}

/** The identity as of the instant; undefined before its registration. */
export function identityAsOf(
  events: readonly RecordedEvent[],
  instant: Date,
): RegisteredIdentity | undefined {
  const state = happenedBy(events, instant).reduce(
    (current, event) => evolveIdentity(current, { type: event.type, data: event.data } as IdentityEvent),
    initialIdentityState(),
  );
  return state.exists ? state : undefined;
}

/** A row of the View Permissions tab: the assignment and who holds it (`request`, `rule:<id>`). */
export type Permission = AssignmentView & { origin: string[] };

/**
 * Who holds the assignment per the identity's holdings; a revoked assignment is held by nobody
 * any more, so its origin is who requested it.
 */
export function withOrigin(
  holdings: Readonly<Record<string, { assignmentId: string; holders: readonly string[] }>>,
  assignment: AssignmentView,
): Permission {
  const held = Object.values(holdings).find((h) => h.assignmentId === assignment.assignmentId);
  const requestedBy = assignment.requestedBy;
  const origin = held?.holders ?? (requestedBy?.startsWith('rule:') ? [requestedBy] : ['request']);
  return { ...assignment, origin: [...origin] };
}

/** The live tab's order: most recently requested first, then by id. */
function byRequestDescending(a: AssignmentView, b: AssignmentView): number {
  const at = Date.parse(b.requestedAt) - Date.parse(a.requestedAt);
  return at !== 0 ? at : a.assignmentId < b.assignmentId ? -1 : a.assignmentId > b.assignmentId ? 1 : 0;
}

/**
 * The View Permissions tab as it was: the identity's stream and the streams of its assignments
 * in, every assignment that existed by then out. Undefined when the identity was not registered yet.
 */
export function permissionsAsOf(
  identityEvents: readonly RecordedEvent[],
  assignmentStreams: ReadonlyArray<readonly RecordedEvent[]>,
  instant: Date,
): Permission[] | undefined {
  const identity = identityAsOf(identityEvents, instant);
  if (!identity) return undefined;
  return assignmentStreams
    .map((events) => assignmentAsOf(events, instant))
    .filter((folded) => folded !== undefined)
    .map((folded) => toAssignmentView(folded.state, folded.revision.toString()))
    .sort(byRequestDescending)
    .map((view) => withOrigin(identity.holdings, view));
}

/**
 * Whether the assignment gave its entitlement at that time: requested, not revoked or declined,
 * and within its start and end dates.
 */
export function heldAt(assignment: Assignment, instant: Date): boolean {
  if (assignment.workflowState !== 'Requested') return false;
  if (assignment.startsAt && Date.parse(assignment.startsAt) > instant.getTime()) return false;
  return !(assignment.endsAt && Date.parse(assignment.endsAt) <= instant.getTime());
}

/** The holders of an entitlement as of the instant, from the streams of its assignments (in the order given). */
export function holdersAsOf(
  assignmentStreams: ReadonlyArray<readonly RecordedEvent[]>,
  instant: Date,
): AssignmentView[] {
  return assignmentStreams
    .map((events) => assignmentAsOf(events, instant))
    .filter((folded) => folded !== undefined && heldAt(folded.state, instant))
    .map((folded) => toAssignmentView(folded!.state, folded!.revision.toString()));
}
