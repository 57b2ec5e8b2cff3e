import { assignmentDecider, type AssignmentEvent, type AssignmentState } from '@prov/domain';
import { KnownStreams, type KnownStream } from '@prov/command-handling';
import type { RecordedEvent } from '@prov/event-store';

/** An assignment as this process last read or wrote it: its state at `revision`. */
export type KnownAssignment = KnownStream<AssignmentState>;

/**
 * The last state of each assignment this process read or appended to, bounded, oldest forgotten
 * first. Most of an order's steps happen here one after the other (generation appends the
 * order, the agent's report appends its result), and each used to read the whole stream again
 * just to learn what this process had written a moment before (issue 11, ADR 0044). What it
 * holds is only ever a guess for a command to decide on: the append's expected revision proves
 * it current, or the stream is read after all. Nothing here answers a read.
 */
export class AssignmentCache extends KnownStreams<AssignmentState> {
  constructor(capacity = 4096) {
    super(capacity);
  }

  /**
   * The state just after `event` (of this assignment's stream) as far as this process can tell
   * without reading: the stream's first event folds into the initial state, a later one into
   * the known state just before it; a known state already past the event is the best guess there
   * is. Undefined when nothing is known that close.
   */
  after(assignmentId: string, event: RecordedEvent): KnownAssignment | undefined {
    const known = this.get(assignmentId);
    if (known && known.revision >= event.revision) return known;
    const domainEvent = { type: event.type, data: event.data } as AssignmentEvent;
    const before =
      event.revision === 0n
        ? assignmentDecider.initialState()
        : known?.revision === event.revision - 1n
          ? known.state
          : undefined;
    return before && { state: assignmentDecider.evolve(before, domainEvent), revision: event.revision };
  }
}
