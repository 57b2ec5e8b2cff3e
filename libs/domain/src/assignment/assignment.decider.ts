import type { Decider } from '../decider';
import type { AssignmentCommand } from './assignment.commands';
import { decide } from './assignment.decide';
import type { AssignmentEvent } from './assignment.events';
import { type AssignmentState, evolve, initialState } from './assignment.state';

/** Stream category of the assignment aggregate (categories never contain `-`). */
export const ASSIGNMENT_CATEGORY = 'assignment';

/** `assignment-<assignmentId>`: the request, the revocation and every order transition. */
export function assignmentStreamName(assignmentId: string): string {
  return `${ASSIGNMENT_CATEGORY}-${assignmentId}`;
}

export const assignmentDecider: Decider<AssignmentState, AssignmentCommand, AssignmentEvent> = {
  decide,
  evolve,
  initialState,
};
