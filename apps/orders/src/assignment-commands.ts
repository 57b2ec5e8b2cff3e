import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  coalescingReads,
  handleCommand,
  loadStream,
  type CommandOutcome,
  type EventMetadata,
  type LoadedStream,
} from '@prov/command-handling';
import {
  type AssignmentCommand,
  assignmentDecider,
  type AssignmentEvent,
  type AssignmentState,
  assignmentStreamName,
  copyWith,
  identityDecider,
  identityStreamName,
  type IdentityState,
} from '@prov/domain';
import {
  type AppendResult,
  type EventStore,
  type RecordedEvent,
  type StreamAppend,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@prov/event-store';
import { EVENT_STORE, ROLE_MODEL } from '@prov/platform';
import type { RoleModel } from '@prov/role-model';
import { AssignmentCache, type KnownAssignment } from './assignment-cache';

/** Reading and changing assignments (and reading identities) for the orders service. */
@Injectable()
export class AssignmentCommands {
  /** What this process last read or wrote of each assignment: guesses for `execute` (ADR 0044). */
  readonly known = new AssignmentCache();
  /** Reads of whole streams (identities, assignments) that arrive together share a statement (ADR 0052). */
  private readonly store: EventStore;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(ROLE_MODEL) @Optional() private readonly roleModel?: RoleModel,
  ) {
    this.store = coalescingReads(store);
  }

  async load(assignmentId: string): Promise<AssignmentState> {
    return (await this.loadStream(assignmentId)).state;
  }

  /** The state with the revision it was read at, for `execute` to decide on without reading again. */
  async loadStream(assignmentId: string): Promise<LoadedStream<AssignmentState>> {
    const loaded = await loadStream(this.store, assignmentDecider, assignmentStreamName(assignmentId));
    this.known.remember(assignmentId, loaded);
    return loaded;
  }

  async identity(identityId: string): Promise<IdentityState> {
    return (await loadStream(this.store, identityDecider, identityStreamName(identityId))).state;
  }

  /** The assignment's recorded events, oldest first (none when there is no such assignment). */
  async events(assignmentId: string): Promise<RecordedEvent[]> {
    try {
      return await this.store.readStream(assignmentStreamName(assignmentId));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  /**
   * Decides and appends. Without `loaded` (the stream as just read), the first decision is taken
   * on `guess`, or else on what this process last knew of the assignment, and holds only if the
   * append is accepted at that revision; otherwise the stream is read (handleCommand's `guess`).
   */
  async execute(
    assignmentId: string,
    command: AssignmentCommand | ((state: AssignmentState) => AssignmentCommand | undefined),
    metadata: EventMetadata,
    eventId?: (index: number) => string,
    loaded?: LoadedStream<AssignmentState>,
    guess?: KnownAssignment,
  ): Promise<CommandOutcome<AssignmentState, AssignmentEvent>> {
    const outcome = await handleCommand(
      this.store,
      assignmentDecider,
      assignmentStreamName(assignmentId),
      this.versioned(command),
      {
        metadata,
        eventId: eventId ? (_event, index) => eventId(index) : undefined,
        loaded,
        guess: loaded ? undefined : (guess ?? this.known.get(assignmentId)),
      },
    );
    this.known.remember(assignmentId, { state: outcome.state, revision: outcome.nextExpectedRevision });
    return outcome;
  }

  /**
   * Decides on `guess` and appends the events at its revision in one `appendToStreams` with
   * `alongside`, another stream's part (ADR 0066). The outcome when the store took both parts;
   * undefined, with nothing written, when the store cannot append to several streams, the
   * decision says nothing or throws (a stale guess may refuse what the stream allows) or a
   * revision is refused: the caller then takes `execute`. Fresh event ids for the reason
   * `decideOnGuess` gives: the expected revision alone keeps the append from happening twice.
   */
  async executeOnGuessAlongside(
    assignmentId: string,
    command: AssignmentCommand | ((state: AssignmentState) => AssignmentCommand | undefined),
    metadata: EventMetadata,
    guess: KnownAssignment,
    alongside: StreamAppend,
  ): Promise<CommandOutcome<AssignmentState, AssignmentEvent> | undefined> {
    if (!this.store.appendToStreams) return undefined;
    let events: AssignmentEvent[];
    try {
      const decided = this.versioned(command)(guess.state);
      events = decided ? assignmentDecider.decide(decided, guess.state) : [];
    } catch {
      return undefined;
    }
    if (events.length === 0) return undefined;
    const part: StreamAppend = {
      streamName: assignmentStreamName(assignmentId),
      events: events.map(({ type, data }) => ({ id: randomUUID(), type, data, metadata })),
      expectedRevision: guess.revision,
    };
    let appended: AppendResult;
    try {
      [appended] = await this.store.appendToStreams([part, alongside]);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return undefined;
      throw error;
    }
    const state = events.reduce((current, event) => assignmentDecider.evolve(current, event), guess.state);
    const outcome = { events, state, nextExpectedRevision: appended.nextExpectedRevision };
    this.known.remember(assignmentId, { state, revision: appended.nextExpectedRevision });
    return outcome;
  }

  /** Every generated order names the role model in force (the one its changes were computed with). */
  private versioned(
    command: AssignmentCommand | ((state: AssignmentState) => AssignmentCommand | undefined),
  ): (state: AssignmentState) => AssignmentCommand | undefined {
    const decide = typeof command === 'function' ? command : () => command;
    return (state) => {
      const next = decide(state);
      return next?.type === 'GenerateProvisioningOrder' &&
        this.roleModel &&
        next.roleModelVersion === undefined
        ? copyWith(next, { roleModelVersion: this.roleModel.hash })
        : next;
    };
  }
}
