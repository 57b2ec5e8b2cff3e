import { randomUUID } from 'node:crypto';
import { handleType, retry } from 'cockatiel';
import {
  EventStore,
  ExpectedRevision,
  RecordedEvent,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@prov/event-store';
import type { Decider } from '@prov/domain';

export interface DomainEvent {
  type: string;
  data: unknown;
}

/** What docs/architecture.md §3 puts on every event's metadata. */
export interface EventMetadata {
  correlationId: string;
  causationId?: string;
  actor: string;
  occurredAt: string;
  [key: string]: unknown;
}

export interface CommandOutcome<State, Event> {
  /** The events this command appended (empty when the command changed nothing). */
  events: Event[];
  state: State;
  nextExpectedRevision: bigint | undefined;
}

export class ConcurrencyError extends Error {
  readonly code = 'ConcurrencyError';
  constructor(
    readonly streamName: string,
    attempts: number,
  ) {
    super(
      `stream ${streamName} kept changing while the command was decided (${attempts} attempts); try again`,
    );
    this.name = 'ConcurrencyError';
  }
}

export interface LoadedStream<State> {
  state: State;
  revision: bigint | undefined;
  events: RecordedEvent[];
}

/** Folds a stream into state; a stream that does not exist yet gives the initial state. */
export async function loadStream<State, Command, Event extends DomainEvent>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  streamName: string,
): Promise<LoadedStream<State>> {
  try {
    const events = await store.readStream(streamName);
    const state = events.reduce(
      (current, recorded) => decider.evolve(current, { type: recorded.type, data: recorded.data } as Event),
      decider.initialState(),
    );
    return { state, revision: events.length ? events[events.length - 1].revision : undefined, events };
  } catch (error) {
    if (error instanceof StreamNotFoundError)
      return { state: decider.initialState(), revision: undefined, events: [] };
    throw error;
  }
}

export interface HandleCommandOptions<State = unknown> {
  metadata: EventMetadata;
  /** Ids for the new events; deterministic ids make a repeated reaction idempotent. */
  eventId?: (event: DomainEvent, index: number) => string;
  maxAttempts?: number;
  /**
   * The stream as the caller has just read it, or knows it to be (a stream it is about to create:
   * the initial state, no revision). The first attempt decides on it instead of reading the
   * stream again, which saves a round trip per command on the order path (issue 11); if the
   * stream moved on meanwhile, the append's expected revision fails and the stream is read.
   */
  loaded?: { state: State; revision: bigint | undefined };
  /**
   * The stream as the caller believes it to be without having read it (a cache of what this
   * process last wrote, or that plus the event a reaction handles): decided on first, but only
   * an append accepted at its revision proves it current. A guess that decides nothing, or whose
   * decision throws, may be stale, so the stream is then read and the command decided again: a
   * stale guess costs a read, never a wrong answer (ADR 0044).
   */
  guess?: { state: State; revision: bigint | undefined };
}

type CommandOrBuilder<State, Command> = Command | ((state: State) => Command | undefined);

function decision<State, Command, Event extends DomainEvent>(
  decider: Decider<State, Command, Event>,
  command: CommandOrBuilder<State, Command>,
  state: State,
): Event[] {
  const resolved =
    typeof command === 'function' ? (command as (s: State) => Command | undefined)(state) : command;
  return resolved === undefined ? [] : decider.decide(resolved, state);
}

/**
 * Decides the command on a guess of the stream (a state the caller believes it to be in, unread)
 * and appends at the guessed revision. Answers the outcome when the store accepted the append
 * there, which proves the guess was the stream; undefined when the guess proves nothing: the
 * decision appended nothing or threw (a stale guess could refuse what the stream allows), or
 * the store refused the revision. The caller then reads the stream, so a stale guess costs a
 * read, never a different answer (ADR 0044).
 */
export async function decideOnGuess<State, Command, Event extends DomainEvent>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  streamName: string,
  command: CommandOrBuilder<State, Command>,
  guess: { state: State; revision: bigint | undefined },
  metadata: EventMetadata,
): Promise<CommandOutcome<State, Event> | undefined> {
  let events: Event[];
  try {
    events = decision(decider, command, guess.state);
  } catch {
    return undefined;
  }
  if (events.length === 0) return undefined;
  try {
    const result = await store.appendToStream(
      streamName,
      // New ids, never the caller's deterministic ones: under those, events stored earlier would
      // count as an exact retry and be answered as written even though the stream has moved on
      // since, and the guess would pass for current. The expected revision alone keeps it from
      // writing twice.
      events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data, metadata })),
      { expectedRevision: guess.revision === undefined ? 'no_stream' : guess.revision },
    );
    const state = events.reduce((current, event) => decider.evolve(current, event), guess.state);
    return { events, state, nextExpectedRevision: result.nextExpectedRevision };
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) return undefined;
    throw error;
  }
}

/**
 * Read the stream, decide, append with the revision that was read. When another writer got
 * there first the stream is read again and the command decided again, so two reviewers
 * approving one order give one approval and one clear domain error, never two approvals.
 */
export async function handleCommand<State, Command, Event extends DomainEvent>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  streamName: string,
  command: CommandOrBuilder<State, Command>,
  options: HandleCommandOptions<State>,
): Promise<CommandOutcome<State, Event>> {
  if (options.guess) {
    // A guess refused is not one of the reads the caller allowed for.
    const proven = await decideOnGuess(store, decider, streamName, command, options.guess, options.metadata);
    if (proven) return proven;
  }
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  // Another writer got there first: read and decide again, at once (cockatiel counts the retries).
  const concurrentWrites = retry(handleType(WrongExpectedVersionError), { maxAttempts: maxAttempts - 1 });
  try {
    return await concurrentWrites.execute(async ({ attempt }) => {
      const stream =
        attempt === 0 && options.loaded ? options.loaded : await loadStream(store, decider, streamName);
      const events = decision(decider, command, stream.state);
      const { state, revision } = stream;
      if (events.length === 0) return { events, state, nextExpectedRevision: revision };
      const expectedRevision: ExpectedRevision = revision === undefined ? 'no_stream' : revision;
      const result = await store.appendToStream(
        streamName,
        events.map((event, index) => ({
          id: options.eventId ? options.eventId(event, index) : randomUUID(),
          type: event.type,
          data: event.data,
          metadata: options.metadata,
        })),
        { expectedRevision },
      );
      const next = events.reduce((current, event) => decider.evolve(current, event), state);
      return { events, state: next, nextExpectedRevision: result.nextExpectedRevision };
    });
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) throw new ConcurrencyError(streamName, maxAttempts);
    throw error;
  }
}

/** Metadata for a command that arrives from a caller (the gateway passes actor and correlation id). */
export function commandMetadata(
  caller: { actor?: string; correlationId?: string; causationId?: string },
  now: Date,
): EventMetadata {
  return {
    correlationId: caller.correlationId ?? randomUUID(),
    ...(caller.causationId ? { causationId: caller.causationId } : {}),
    actor: caller.actor ?? 'system',
    occurredAt: now.toISOString(),
  };
}

/** Metadata for what a reaction appends: same correlation as the event it reacts to, caused by it. */
export function reactionMetadata(
  cause: { id: string; metadata: Record<string, unknown> },
  actor: string,
  now: Date,
): EventMetadata {
  const correlationId =
    typeof cause.metadata.correlationId === 'string' ? cause.metadata.correlationId : cause.id;
  return { correlationId, causationId: cause.id, actor, occurredAt: now.toISOString() };
}
