import { InvalidTransitionError } from './errors';
import {
  describeState,
  isProvisioningStateCode,
  isTerminalState,
  PROVISIONING_STATE_CODES,
  PROVISIONING_STATE_NAMES,
  PROVISIONING_STATES,
  ProvisioningState,
  stateCode,
  stateMeaning,
  stateName,
  toStateView,
} from './provisioning-state';

describe('provisioning states', () => {
  it('have the fixed codes and names', () => {
    expect(ProvisioningState).toEqual({
      None: 0,
      Pending: 1,
      Transmitted: 2,
      Errored: 3,
      Verified: 4,
      AwaitingApproval: 5,
      Inactive: 6,
      Error: 7,
      Executed: 8,
    });
    expect(PROVISIONING_STATE_CODES.map((code) => stateCode(stateName(code)))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });

  it('are shown as name and code', () => {
    expect(toStateView(1)).toEqual({ provisioningState: 'Pending', provisioningStateCode: 1 });
    expect(describeState(8)).toBe('8 Executed');
  });

  it('refuse unknown codes and names as programming errors', () => {
    expect(() => stateName(9 as never)).toThrow(RangeError);
    expect(() => stateCode('Done' as never)).toThrow(RangeError);
    expect(isProvisioningStateCode(1.5)).toBe(false);
    expect(isProvisioningStateCode(7)).toBe(true);
  });

  it('come from one table whose row index is the code', () => {
    PROVISIONING_STATES.forEach((state, index) => expect(state.code).toBe(index));
    expect(PROVISIONING_STATE_NAMES).toEqual(Object.keys(ProvisioningState));
    expect(stateMeaning(2)).toBe('handed to operators, no feedback yet');
    expect(stateMeaning(42)).toBe('unknown state');
  });

  it('are terminal for None, Verified and Inactive only', () => {
    expect(PROVISIONING_STATE_CODES.filter(isTerminalState)).toEqual([0, 4, 6]);
  });

  it('appear by code and name in transition errors', () => {
    const error = new InvalidTransitionError({
      command: 'ApproveProvisioningOrder',
      orderId: 'o-1',
      state: 8,
    });
    expect(error.message).toBe('cannot ApproveProvisioningOrder: order o-1 is in state 8 Executed');
    expect(error).toMatchObject({
      code: 'INVALID_TRANSITION',
      state: 8,
      stateName: 'Executed',
      name: 'InvalidTransitionError',
    });
  });
});
