/**
 * The nine provisioning states of an order (docs/architecture.md §2). Codes and names are fixed: they
 * are what people who run identity managers know, and they appear in events and read models.
 *
 * This table is the one place they are written: the names, the codes, the lookups below, the
 * gateway's query validation and the console's badges are all derived from it.
 */
export const PROVISIONING_STATES = [
  { code: 0, name: 'None', meaning: 'nothing to provision (also after a decline)' },
  { code: 1, name: 'Pending', meaning: 'ready for provisioning, not yet sent' },
  { code: 2, name: 'Transmitted', meaning: 'handed to operators, no feedback yet' },
  { code: 3, name: 'Errored', meaning: 'the agent or an operator reported an error' },
  { code: 4, name: 'Verified', meaning: 'the change is observed in the managed system' },
  { code: 5, name: 'AwaitingApproval', meaning: 'waiting for a provisioning review' },
  { code: 6, name: 'Inactive', meaning: 'the end date passed before fulfilment' },
  { code: 7, name: 'Error', meaning: 'the role model failed while computing the order' },
  { code: 8, name: 'Executed', meaning: 'the agent or an operator reported success' },
] as const;

type StateRow = (typeof PROVISIONING_STATES)[number];

export type ProvisioningStateName = StateRow['name'];
export type ProvisioningStateCode = StateRow['code'];

/** Name to code: `ProvisioningState.Executed` is `8`. */
export const ProvisioningState = Object.freeze(
  Object.fromEntries(PROVISIONING_STATES.map((state) => [state.name, state.code])),
) as { readonly [S in StateRow as S['name']]: S['code'] };

/** The name that belongs to a code, as a type: `StateNameOf<1>` is `'Pending'`. */
export type StateNameOf<C extends ProvisioningStateCode> = Extract<StateRow, { code: C }>['name'];

/** How a state is shown to the outside (API answers, read models, event data). */
export interface ProvisioningStateView<C extends ProvisioningStateCode = ProvisioningStateCode> {
  provisioningState: StateNameOf<C>;
  provisioningStateCode: C;
}

/** Every name, in code order (the table's rows are in code order: the code is the index). */
export const PROVISIONING_STATE_NAMES: readonly ProvisioningStateName[] = PROVISIONING_STATES.map(
  (s) => s.name,
);

/** Every code, in ascending order. */
export const PROVISIONING_STATE_CODES: readonly ProvisioningStateCode[] = PROVISIONING_STATES.map(
  (s) => s.code,
);

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
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < PROVISIONING_STATES.length
  );
}

export function isProvisioningStateName(value: unknown): value is ProvisioningStateName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ProvisioningState, value);
}

/** `stateName(8)` is `'Executed'`. A value outside 0..8 is a programming error (RangeError). */
export function stateName<C extends ProvisioningStateCode>(code: C): StateNameOf<C> {
  if (!isProvisioningStateCode(code))
    throw new RangeError(`unknown provisioning state code: ${String(code)}`);
  return PROVISIONING_STATES[code].name as StateNameOf<C>;
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

/** What a state means, in words (`stateMeaning(2)`: handed to operators, no feedback yet). */
export function stateMeaning(code: number): string {
  return isProvisioningStateCode(code) ? PROVISIONING_STATES[code].meaning : 'unknown state';
}

export function isTerminalState(code: ProvisioningStateCode): boolean {
  return TERMINAL_STATES.includes(code);
}
