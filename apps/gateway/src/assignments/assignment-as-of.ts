import { Inject, Injectable } from '@nestjs/common';
import { type AssignmentEvent, evolveAssignment, initialAssignmentState } from '@prov/domain';
import { type EventStore, StreamNotFoundError } from '@prov/event-store';
import { EVENT_STORE } from '@prov/platform';
import { type AssignmentView, toAssignmentView } from '@prov/read-models';

/**
 * An assignment as it was at an instant, folded from its stream with the domain's own `evolve`
 * up to the last event that had happened by then (the event's `occurredAt`).
 */
@Injectable()
export class AssignmentAsOf {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async at(assignmentId: string, instant: Date): Promise<AssignmentView | undefined | 'not-yet'> {
    let events;
    try {
      events = await this.store.readStream(`assignment-${assignmentId}`);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    }
    const happened = events.filter((event) => {
      const occurredAt = event.metadata.occurredAt;
      const when = typeof occurredAt === 'string' ? new Date(occurredAt) : event.createdAt;
      return when <= instant;
    });
    if (happened.length === 0) return 'not-yet';
    const state = happened.reduce(
      (current, event) => evolveAssignment(current, { type: event.type, data: event.data } as AssignmentEvent),
      initialAssignmentState(),
    );
    if (!state.exists) return 'not-yet';
    return toAssignmentView(state, happened[happened.length - 1].revision.toString());
  }
}
