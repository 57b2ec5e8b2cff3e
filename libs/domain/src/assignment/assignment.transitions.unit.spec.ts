import { InvalidTransitionError } from '../errors';
import { PROVISIONING_STATE_CODES, type ProvisioningStateCode, stateName } from '../provisioning-state';
import { generatedEvent, iso, minutes, orderCommand, orderInState } from '../testing/assignment-fixtures';
import type { AssignmentCommand, OrderCommandType } from './assignment.commands';
import { assignmentDecider } from './assignment.decider';
import type { AssignmentEvent, Fulfillment } from './assignment.events';
import { allowedFromStates } from './order-transitions';

/**
 * Every state (0..8) × every order command × both fulfillments: exactly the pairs of the
 * transition table in docs/architecture.md §2 are allowed; every other pair is refused with an
 * InvalidTransitionError naming the state and the command. The expectation is written out here
 * from the architecture, independently of the implementation's table.
 */

type Variant =
  | 'GenerateProvisioningOrder (re-evaluation)'
  | 'RecordRoleModelEvaluationFailure (same order)'
  | 'ApproveProvisioningOrder'
  | 'DeclineProvisioningOrder'
  | 'PostponeProvisioningOrder'
  | 'TransmitProvisioningOrder'
  | 'ReportProvisioningOrderExecuted by agent'
  | 'ReportProvisioningOrderExecuted by operator'
  | 'ReportProvisioningOrderErrored by agent'
  | 'ReportProvisioningOrderErrored by operator'
  | 'ExpireTransmittedValidity'
  | 'VerifyProvisioningOrder'
  | 'RetryProvisioningOrder'
  | 'DeactivateProvisioningOrder';

/** Allowed from-states per command, for an order of an automatic and of a manual connection. */
const ALLOWED: Record<Variant, Record<Fulfillment, readonly number[]>> = {
  'GenerateProvisioningOrder (re-evaluation)': { automatic: [7], manual: [7] },
  'RecordRoleModelEvaluationFailure (same order)': { automatic: [7], manual: [7] },
  ApproveProvisioningOrder: { automatic: [5], manual: [5] },
  DeclineProvisioningOrder: { automatic: [5], manual: [5] },
  PostponeProvisioningOrder: { automatic: [5], manual: [5] },
  TransmitProvisioningOrder: { automatic: [], manual: [1] },
  'ReportProvisioningOrderExecuted by agent': { automatic: [1], manual: [] },
  'ReportProvisioningOrderExecuted by operator': { automatic: [], manual: [2] },
  'ReportProvisioningOrderErrored by agent': { automatic: [1], manual: [] },
  'ReportProvisioningOrderErrored by operator': { automatic: [], manual: [2] },
  ExpireTransmittedValidity: { automatic: [2, 8], manual: [2, 8] },
  VerifyProvisioningOrder: { automatic: [8], manual: [8] },
  RetryProvisioningOrder: { automatic: [3], manual: [3] },
  DeactivateProvisioningOrder: { automatic: [1, 3, 5, 7], manual: [1, 3, 5, 7] },
};

/** The command for a variant, aimed at order o-1, valid in every field the state does not decide. */
function commandFor(variant: Variant): AssignmentCommand {
  switch (variant) {
    case 'GenerateProvisioningOrder (re-evaluation)':
      return orderCommand('GenerateProvisioningOrder', 'o-1', {
        changes: { uid: 'jdoe', mail: 'new@x.org' },
      });
    case 'RecordRoleModelEvaluationFailure (same order)':
      return orderCommand('RecordRoleModelEvaluationFailure', 'o-1', { error: 'another message' });
    case 'ReportProvisioningOrderExecuted by agent':
    case 'ReportProvisioningOrderExecuted by operator':
    case 'ReportProvisioningOrderErrored by agent':
    case 'ReportProvisioningOrderErrored by operator': {
      const [type, , by] = variant.split(' ');
      return orderCommand(type as OrderCommandType, 'o-1', { by });
    }
    default:
      return orderCommand(variant);
  }
}

const VARIANTS = Object.keys(ALLOWED) as Variant[];
const FULFILLMENTS: Fulfillment[] = ['automatic', 'manual'];
/** The end date has passed at the commands' `now` (minutes(3)), so deactivation is possible. */
const endsAt = iso(minutes(2));

function decideFor(events: AssignmentEvent[], command: AssignmentCommand): AssignmentEvent[] {
  const state = events.reduce(assignmentDecider.evolve, assignmentDecider.initialState());
  return assignmentDecider.decide(command, state);
}

const cases = FULFILLMENTS.flatMap((fulfillment) =>
  VARIANTS.flatMap((variant) =>
    PROVISIONING_STATE_CODES.map((state) => ({
      fulfillment,
      variant,
      state,
      allowed: ALLOWED[variant][fulfillment].includes(state),
    })),
  ),
);

describe('transition table: every state × every order command', () => {
  it('covers 2 fulfillments × 14 command variants × 9 states', () => {
    expect(cases).toHaveLength(2 * 14 * 9);
    expect(cases.filter((c) => c.allowed)).toHaveLength(15 + 16);
  });

  it.each(cases)(
    '$fulfillment order in state $state, $variant → allowed: $allowed',
    ({ fulfillment, variant, state, allowed }) => {
      const given = orderInState(state, { fulfillment, endsAt });
      const command = commandFor(variant);
      if (allowed) {
        const events = decideFor(given, command);
        expect(events.length).toBeGreaterThan(0);
        expect(events.at(-1)?.data).toMatchObject({ orderId: 'o-1' });
        return;
      }
      let thrown: unknown;
      try {
        decideFor(given, command);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidTransitionError);
      const error = thrown as InvalidTransitionError;
      expect(error.state).toBe(state);
      expect(error.command).toBe(command.type);
      expect(error.message).toContain(
        `cannot ${command.type}: order o-1 is in state ${state} ${stateName(state)}`,
      );
    },
  );

  it.each(VARIANTS)('an order closed by supersession refuses %s, naming its state', (variant) => {
    for (const state of [1, 2, 3, 5, 7, 8] as ProvisioningStateCode[]) {
      const given: AssignmentEvent[] = [
        ...orderInState(state, { fulfillment: 'manual', endsAt }),
        {
          type: 'ProvisioningOrderSuperseded',
          data: {
            assignmentId: 'a-1',
            orderId: 'o-1',
            at: iso(minutes(2)),
            supersededBy: 'o-2',
            reason: 'RoleModelChanged',
            provisioningState: stateName(state),
            provisioningStateCode: state,
          },
        },
        generatedEvent('o-2', 1),
      ];
      expect(() => decideFor(given, commandFor(variant))).toThrow(
        new RegExp(`order o-1 is in state ${state} ${stateName(state)} \\(closed, superseded by o-2\\)`),
      );
    }
  });
});

describe('the exported table agrees with the architecture', () => {
  it.each(VARIANTS)('%s', (variant) => {
    const [type, , by] = variant.split(' ') as [OrderCommandType, string?, ('agent' | 'operator')?];
    const reporter = by === 'agent' || by === 'operator' ? by : undefined;
    for (const fulfillment of FULFILLMENTS) {
      expect(allowedFromStates(type, { fulfillment, reporter, changeType: 'Added' })).toEqual(
        ALLOWED[variant][fulfillment],
      );
    }
  });
});
