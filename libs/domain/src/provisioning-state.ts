/**
 * The nine provisioning states of an order (docs/architecture.md §2). Codes and names are fixed: they
 * are what people who run identity managers know, and they appear in events and read models.
 */
export const ProvisioningState = {
  None: 0,
  Pending: 1,
  Transmitted: 2,
  Errored: 3,
  Verified: 4,
  AwaitingApproval: 5,
  Inactive: 6,
  Error: 7,
  Executed: 8,
} as const;

export type ProvisioningStateName = keyof typeof ProvisioningState;
export type ProvisioningStateCode = (typeof ProvisioningState)[ProvisioningStateName];

/** The name that belongs to a code, as a type: `StateNameOf<1>` is `'Pending'`. */
export type StateNameOf<C extends ProvisioningStateCode> = {
  [N in ProvisioningStateName]: (typeof ProvisioningState)[N] extends C ? N : never;
}[ProvisioningStateName];

/** How a state is shown to the outside (API answers, read models, event data). */
export interface ProvisioningStateView<C extends ProvisioningStateCode = ProvisioningStateCode> {
  provisioningState: StateNameOf<C>;
  provisioningStateCode: C;
}

const NAMES_BY_CODE: readonly ProvisioningStateName[] = [
  'None',
  'Pending',
  'Transmitted',
  'Errored',
  'Verified',
  'AwaitingApproval',
  'Inactive',
  'Error',
  'Executed',
];

/** Every code, in ascending order. */
export const PROVISIONING_STATE_CODES: readonly ProvisioningStateCode[] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

/**
 * States an order never leaves: nothing to do after a decline (0), the change is observed (4),
 * or the assignment ended before fulfilment (6). An order in one of them is closed; an order
 * can also be closed in another state when a newer order supersedes it.
 */
export const TERMINAL_STATES: readonly ProvisioningStateCode[] = [
  ProvisioningState.None,
  ProvisioningState.Verified,
  ProvisioningState.Inactive,
];

export function isProvisioningStateCode(value: unknown): value is ProvisioningStateCode {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < NAMES_BY_CODE.length;
}

export function isProvisioningStateName(value: unknown): value is ProvisioningStateName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ProvisioningState, value);
}

/** `stateName(8)` is `'Executed'`. A value outside 0..8 is a programming error (RangeError). */
export function stateName<C extends ProvisioningStateCode>(code: C): StateNameOf<C> {
  if (!isProvisioningStateCode(code))
    throw new RangeError(`unknown provisioning state code: ${String(code)}`);
  return NAMES_BY_CODE[code] as StateNameOf<C>;
}

/** `stateCode('Executed')` is `8`. An unknown name is a programming error (RangeError). */
export function stateCode<N extends ProvisioningStateName>(name: N): (typeof ProvisioningState)[N] {
  if (!isProvisioningStateName(name))
    throw new RangeError(`unknown provisioning state name: ${String(name)}`);
  return ProvisioningState[name];
}

/** `toStateView(1)` is `{ provisioningState: 'Pending', provisioningStateCode: 1 }`. */
export function toStateView<C extends ProvisioningStateCode>(code: C): ProvisioningStateView<C> {
  return { provisioningState: stateName(code), provisioningStateCode: code };
}

/** `describeState(8)` is `'8 Executed'`, the form used in messages. */
export function describeState(code: ProvisioningStateCode): string {
  return `${code} ${stateName(code)}`;
}

export function isTerminalState(code: ProvisioningStateCode): boolean {
  return TERMINAL_STATES.includes(code);
}
