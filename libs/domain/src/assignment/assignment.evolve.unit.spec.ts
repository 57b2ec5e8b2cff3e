import { DomainError } from '../errors';
import { PROVISIONING_STATE_CODES, type ProvisioningStateCode } from '../provisioning-state';
import {
  ASSIGNMENT_ID,
  generateCommand,
  generatedEvent,
  iso,
  minutes,
  orderCommand,
  requestedEvent,
  T0,
} from '../testing/assignment-fixtures';
import type { AssignmentCommand, OrderCommandType } from './assignment.commands';
import { assignmentDecider } from './assignment.decider';
import type { AssignmentEvent } from './assignment.events';
import { type AssignmentState, openOrders } from './assignment.state';

const { decide, evolve, initialState } = assignmentDecider;

const fold = (events: readonly AssignmentEvent[]): AssignmentState => events.reduce(evolve, initialState());

/** The live path: decide each command against the current state and evolve with its events. */
function live(commands: readonly AssignmentCommand[]): { state: AssignmentState; events: AssignmentEvent[] } {
  let state = initialState();
  const events: AssignmentEvent[] = [];
  for (const command of commands) {
    const decided = decide(command, state);
    state = decided.reduce(evolve, state);
    events.push(...decided);
  }
  return { state, events };
}

/** Events as they come back from the store: through JSON. */
const stored = (events: readonly AssignmentEvent[]): AssignmentEvent[] => JSON.parse(JSON.stringify(events));

const request: AssignmentCommand = {
  type: 'RequestAssignment',
  assignmentId: ASSIGNMENT_ID,
  identityId: 'i-1',
  entitlementId: 'e-1',
  endsAt: minutes(30),
  now: T0,
  actor: 'alice',
};

const scenarios: Record<string, AssignmentCommand[]> = {
  'automatic fulfilment with an error and a retry': [
    request,
    generateCommand('o-1'),
    orderCommand('ReportProvisioningOrderErrored', 'o-1', { now: minutes(4) }),
    orderCommand('RetryProvisioningOrder', 'o-1', { automatic: true, now: minutes(5) }),
    orderCommand('ReportProvisioningOrderExecuted', 'o-1', { now: minutes(6) }),
    orderCommand('VerifyProvisioningOrder', 'o-1', { now: minutes(7) }),
  ],
  'review, postpone, approve, manual fulfilment, expiry': [
    request,
    generateCommand('o-1', { fulfillment: 'manual', requiresReview: true }),
    orderCommand('PostponeProvisioningOrder', 'o-1', { until: minutes(60), now: minutes(4) }),
    orderCommand('ApproveProvisioningOrder', 'o-1', { now: minutes(5) }),
    orderCommand('TransmitProvisioningOrder', 'o-1', { now: minutes(6) }),
    orderCommand('ReportProvisioningOrderExecuted', 'o-1', { by: 'operator', now: minutes(7) }),
    orderCommand('ExpireTransmittedValidity', 'o-1', { now: minutes(8) }),
  ],
  'declined request': [
    request,
    generateCommand('o-1', { requiresReview: true }),
    orderCommand('DeclineProvisioningOrder', 'o-1', { now: minutes(4) }),
  ],
  'role model error, fix, revoke and supersede': [
    request,
    orderCommand('RecordRoleModelEvaluationFailure', 'o-1', { error: 'boom' }),
    orderCommand('RecordRoleModelEvaluationFailure', 'o-1', { error: 'boom again', now: minutes(4) }),
    generateCommand('o-1', { now: minutes(5) }),
    { type: 'RevokeAssignment', assignmentId: ASSIGNMENT_ID, now: minutes(6) },
    generateCommand('o-2', { changeType: 'Deleted', changes: {}, now: minutes(7) }),
    orderCommand('ReportProvisioningOrderExecuted', 'o-2', { now: minutes(8) }),
  ],
  'end date passes': [
    request,
    generateCommand('o-1', { requiresReview: true }),
    orderCommand('DeactivateProvisioningOrder', 'o-1', { now: minutes(31) }),
    generateCommand('o-2', { changeType: 'Modified', now: minutes(32) }),
  ],
};

describe('evolve: folding the recorded events gives the live state', () => {
  it.each(Object.entries(scenarios))('%s', (_name, commands) => {
    const { state, events } = live(commands);
    expect(fold(events)).toEqual(state);
    expect(fold(stored(events))).toEqual(state);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('keeps the last error, the attempt and the closing reason of each order', () => {
    const { state } = live(scenarios['role model error, fix, revoke and supersede']);
    expect(state).toMatchObject({
      workflowState: 'Revoked',
      currentOrderId: 'o-2',
      orders: {
        'o-1': {
          stateCode: 1,
          open: false,
          closedReason: 'Superseded',
          supersededBy: 'o-2',
          lastError: 'boom again',
        },
        'o-2': { stateCode: 8, open: true, changeType: 'Deleted', attempt: 1 },
      },
    });
  });
});

describe('evolve is total', () => {
  it('ignores events it does not know', () => {
    const state = fold([requestedEvent()]);
    const unknown = { type: 'SomethingElseHappened', data: {} } as unknown as AssignmentEvent;
    expect(evolve(state, unknown)).toBe(state);
  });

  it('ignores order events before the request and for unknown orders', () => {
    const orphan = generatedEvent('o-1', 1);
    expect(evolve(initialState(), orphan)).toEqual(initialState());
    const state = fold([requestedEvent()]);
    const approved: AssignmentEvent = {
      type: 'ProvisioningOrderApproved',
      data: {
        assignmentId: ASSIGNMENT_ID,
        orderId: 'o-9',
        at: iso(T0),
        provisioningState: 'Pending',
        provisioningStateCode: 1,
      },
    };
    expect(evolve(state, approved)).toBe(state);
  });

  it('holds orders by id only: an id that names a member of every object finds no order', () => {
    // Handlers read `state.orders[orderId]` with an id from a command (a report, a review).
    for (const state of [fold([requestedEvent()]), fold([requestedEvent(), generatedEvent('o-1', 1)])])
      if (state.exists)
        for (const orderId of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
          expect(state.orders[orderId]).toBeUndefined();
    const withOrder = fold([requestedEvent(), generatedEvent('constructor', 1)]);
    expect(withOrder.exists && withOrder.orders['constructor']?.orderId).toBe('constructor');
  });
});

/** mulberry32: a small deterministic PRNG, so every run walks the same paths. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ORDER_COMMANDS: OrderCommandType[] = [
  'ApproveProvisioningOrder',
  'DeclineProvisioningOrder',
  'PostponeProvisioningOrder',
  'TransmitProvisioningOrder',
  'ReportProvisioningOrderExecuted',
  'ReportProvisioningOrderErrored',
  'ExpireTransmittedValidity',
  'VerifyProvisioningOrder',
  'RetryProvisioningOrder',
  'DeactivateProvisioningOrder',
  'RecordRoleModelEvaluationFailure',
  'GenerateProvisioningOrder',
];

/** Candidate commands at a step: every order command for the open order, a revocation, new orders. */
function candidates(state: AssignmentState, step: number, random: () => number): AssignmentCommand[] {
  const now = minutes(step);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const orderCount = state.exists ? Object.keys(state.orders).length : 0;
  const commands: AssignmentCommand[] = [{ type: 'RevokeAssignment', assignmentId: ASSIGNMENT_ID, now }];
  // Closed orders refuse every command (the transition spec shows it), so only open ones are tried.
  for (const { orderId } of openOrders(state)) {
    for (const type of ORDER_COMMANDS) {
      const fields: Record<string, unknown> = { now, error: `error at step ${step}` };
      if (type === 'ReportProvisioningOrderExecuted' || type === 'ReportProvisioningOrderErrored') {
        fields.by = pick(['agent', 'operator']);
      }
      if (type === 'RetryProvisioningOrder') fields.automatic = random() < 0.5;
      if (type === 'GenerateProvisioningOrder')
        Object.assign(fields, { requiresReview: random() < 0.5, changes: { step } });
      commands.push(orderCommand(type, orderId, fields));
    }
  }
  const newOrderId = `o-${orderCount + 1}`;
  commands.push(
    generateCommand(newOrderId, {
      now,
      changeType: pick(['Added', 'Modified', 'Deleted']),
      fulfillment: pick(['automatic', 'manual']),
      requiresReview: random() < 0.4,
      alreadyPresent: random() < 0.1,
      changes: { step },
    }),
    orderCommand('RecordRoleModelEvaluationFailure', newOrderId, { now, error: `failed at step ${step}` }),
  );
  return commands;
}

describe('random walk over allowed commands (seeded)', () => {
  const visitedByAllWalks = new Set<number>();

  it.each([1, 2, 3, 5, 8, 13, 21, 34, 55, 89])(
    'seed %i: fold(events) equals the live state at every step',
    (seed) => {
      const random = prng(seed);
      const events: AssignmentEvent[] = decide(request, initialState());
      let state = fold(events);
      const visited = new Set<ProvisioningStateCode>();
      for (let step = 1; step <= 80; step++) {
        const allowed = candidates(state, step, random).flatMap((command) => {
          try {
            const decided = decide(command, state);
            return decided.length > 0 ? [{ command, decided }] : [];
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            return [];
          }
        });
        if (allowed.length === 0) break;
        const { decided } = allowed[Math.floor(random() * allowed.length)];
        state = decided.reduce(evolve, state);
        events.push(...decided);

        expect(fold(stored(events))).toEqual(state);
        expect(openOrders(state).length).toBeLessThanOrEqual(1);
        for (const event of decided) {
          if (!state.exists || !('orderId' in event.data) || !('provisioningStateCode' in event.data))
            continue;
          expect(state.orders[event.data.orderId].stateCode).toBe(event.data.provisioningStateCode);
          visited.add(event.data.provisioningStateCode);
        }
      }
      expect(visited.size).toBeGreaterThan(3);
      visited.forEach((code) => visitedByAllWalks.add(code));
      expect([...visited].every((code) => PROVISIONING_STATE_CODES.includes(code))).toBe(true);
    },
  );

  it('together, the walks reach every provisioning state', () => {
    expect([...visitedByAllWalks].sort()).toEqual([...PROVISIONING_STATE_CODES]);
  });
});
