/**
 * A decider is the whole behaviour of one aggregate as three pure functions: `decide` turns a
 * command and the current state into new events (or throws a DomainError), `evolve` folds one
 * event into the state, and `initialState` is the state of a stream with no events.
 *
 * The state of a stream is `events.reduce(evolve, initialState())`; a command handler reads the
 * stream, folds it, decides, and appends the result with the revision it read.
 */
export interface Decider<State, Command, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** Folds events into a state with the decider's own `evolve`. */
export function foldEvents<State, Command, Event>(
  decider: Decider<State, Command, Event>,
  events: readonly Event[],
  from: State = decider.initialState(),
): State {
  return events.reduce((state, event) => decider.evolve(state, event), from);
}
