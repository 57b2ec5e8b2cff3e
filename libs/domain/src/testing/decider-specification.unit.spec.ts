import type { Decider } from '../decider';
import { DeciderSpecification, DeciderSpecificationError } from './decider-specification';

/** A counter that refuses to go below zero: enough to exercise the helper. */
type Event = { type: 'Added'; data: { by: number } };
type Command = { type: 'Add'; by: number };
class NegativeError extends Error {}

const counter: Decider<number, Command, Event> = {
  initialState: () => 0,
  evolve: (state, event) => state + event.data.by,
  decide: (command, state) => {
    if (state + command.by < 0) throw new NegativeError(`would be ${state + command.by}`);
    return command.by === 0 ? [] : [{ type: 'Added', data: { by: command.by } }];
  },
};

const given = DeciderSpecification.for(counter);
const added = (by: number): Event => ({ type: 'Added', data: { by } });

describe('DeciderSpecification', () => {
  it('passes when the events, the error or the silence match', () => {
    given([added(2)])
      .when({ type: 'Add', by: -1 })
      .then([added(-1)]);
    given([added(2)])
      .when({ type: 'Add', by: -3 })
      .thenThrows(NegativeError, (e) => e.message === 'would be -1');
    given().when({ type: 'Add', by: 0 }).thenNothingHappened();
  });

  it('fails with a readable message otherwise', () => {
    expect(() =>
      given()
        .when({ type: 'Add', by: 1 })
        .then([added(2)]),
    ).toThrow(DeciderSpecificationError);
    expect(() => given().when({ type: 'Add', by: -1 }).then([])).toThrow(/decide threw/);
    expect(() => given().when({ type: 'Add', by: 1 }).thenThrows(NegativeError)).toThrow(/decide returned/);
    expect(() => given().when({ type: 'Add', by: -1 }).thenThrows(TypeError)).toThrow(/expected TypeError/);
    expect(() =>
      given()
        .when({ type: 'Add', by: -1 })
        .thenThrows(NegativeError, () => false),
    ).toThrow(/predicate/);
    expect(() => given().when({ type: 'Add', by: 1 }).thenNothingHappened()).toThrow(/expected no events/);
  });
});
