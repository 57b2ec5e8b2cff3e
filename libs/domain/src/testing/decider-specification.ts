import { type Decider, foldEvents } from '../decider';
import { jsonEqual } from '../json';

/**
 * Given / when / then for deciders, independent of any test framework (it throws on a failed
 * expectation, which every runner reports):
 *
 *   const given = DeciderSpecification.for(assignmentDecider);
 *   given([requested]).when(approve).then([approved]);
 *   given([]).when(approve).thenThrows(AssignmentNotFoundError);
 */

/** Thrown when a specification does not hold. */
export class DeciderSpecificationError extends Error {
  override readonly name = 'DeciderSpecificationError';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor signature
export type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;

export interface DeciderThen<Event> {
  /** decide returns exactly these events, in this order (compared as JSON). */
  then(expected: readonly Event[]): void;
  /** decide throws an instance of `errorClass` for which `predicate` does not return false. */
  thenThrows<E extends Error>(errorClass: ErrorClass<E>, predicate?: (error: E) => boolean | void): void;
  /** decide returns no events. */
  thenNothingHappened(): void;
}

export interface DeciderWhen<Command, Event> {
  when(command: Command): DeciderThen<Event>;
}

const show = (value: unknown): string => JSON.stringify(value, null, 2);

type Outcome<Event> = { events: Event[] } | { error: unknown };

export const DeciderSpecification = {
  for<State, Command, Event>(
    decider: Decider<State, Command, Event>,
  ): (given?: readonly Event[]) => DeciderWhen<Command, Event> {
    return (given = []) => ({
      when(command: Command): DeciderThen<Event> {
        const run = (): Outcome<Event> => {
          const state = foldEvents(decider, given);
          try {
            return { events: decider.decide(command, state) };
          } catch (error) {
            return { error };
          }
        };
        const eventsOrFail = (expectation: string): Event[] => {
          const outcome = run();
          if ('error' in outcome) {
            throw new DeciderSpecificationError(
              `expected ${expectation}, but decide threw ${String(outcome.error)}`,
            );
          }
          return outcome.events;
        };
        return {
          then(expected: readonly Event[]): void {
            if (!Array.isArray(expected)) {
              throw new DeciderSpecificationError(
                'then() takes the expected events; do not return or await the specification itself',
              );
            }
            const actual = eventsOrFail(`${expected.length} event(s)`);
            if (!jsonEqual(actual, expected)) {
              throw new DeciderSpecificationError(
                `expected events:\n${show(expected)}\nbut got:\n${show(actual)}`,
              );
            }
          },
          thenThrows<E extends Error>(
            errorClass: ErrorClass<E>,
            predicate?: (error: E) => boolean | void,
          ): void {
            const outcome = run();
            if (!('error' in outcome)) {
              throw new DeciderSpecificationError(
                `expected ${errorClass.name} to be thrown, but decide returned:\n${show(outcome.events)}`,
              );
            }
            if (!(outcome.error instanceof errorClass)) {
              throw new DeciderSpecificationError(
                `expected ${errorClass.name}, but decide threw ${String(outcome.error)}`,
              );
            }
            if (predicate && predicate(outcome.error) === false) {
              throw new DeciderSpecificationError(
                `${errorClass.name} was thrown but did not match the predicate: ${outcome.error.message}`,
              );
            }
          },
          thenNothingHappened(): void {
            const actual = eventsOrFail('no events');
            if (actual.length > 0) {
              throw new DeciderSpecificationError(`expected no events, but got:\n${show(actual)}`);
            }
          },
        };
      },
    });
  },
};
