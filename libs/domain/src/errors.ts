import {
  describeState,
  type ProvisioningStateCode,
  type ProvisioningStateName,
  stateName,
} from './provisioning-state';

/**
 * Every rule the domain enforces fails with a subclass of DomainError. `code` is stable and
 * machine-readable (the gateway maps it to an HTTP status); the message is for people and names
 * what was attempted and why it was refused.
 */
export class DomainError extends Error {
  override readonly name: string = 'DomainError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface InvalidTransitionDetails {
  /** The command type that was refused, e.g. `ApproveProvisioningOrder`. */
  command: string;
  orderId: string;
  /** The state the order is in. */
  state: ProvisioningStateCode;
  /** Why a state that the command otherwise accepts does not fit this order. */
  detail?: string;
}

/** The (state, command) pair is not in the transition table (docs/architecture.md §2). HTTP 409. */
export class InvalidTransitionError extends DomainError {
  override readonly name = 'InvalidTransitionError';
  readonly command: string;
  readonly orderId: string;
  readonly state: ProvisioningStateCode;
  readonly stateName: ProvisioningStateName;
  readonly detail?: string;

  constructor({ command, orderId, state, detail }: InvalidTransitionDetails) {
    const reason = detail ? ` (${detail})` : '';
    super(
      'INVALID_TRANSITION',
      `cannot ${command}: order ${orderId} is in state ${describeState(state)}${reason}`,
    );
    this.command = command;
    this.orderId = orderId;
    this.state = state;
    this.stateName = stateName(state);
    this.detail = detail;
  }
}

/** Message prefix naming the refused command, when there is one. */
const refused = (command?: string): string => (command ? `cannot ${command}: ` : '');

export class AssignmentNotFoundError extends DomainError {
  override readonly name = 'AssignmentNotFoundError';

  constructor(
    readonly assignmentId: string,
    readonly command?: string,
  ) {
    super('ASSIGNMENT_NOT_FOUND', `${refused(command)}assignment ${assignmentId} does not exist`);
  }
}

export class AssignmentAlreadyExistsError extends DomainError {
  override readonly name = 'AssignmentAlreadyExistsError';

  constructor(readonly assignmentId: string) {
    super('ASSIGNMENT_ALREADY_EXISTS', `cannot RequestAssignment: assignment ${assignmentId} already exists`);
  }
}

/** The command names an order id that the assignment does not have. */
export class OrderNotFoundError extends DomainError {
  override readonly name = 'OrderNotFoundError';

  constructor(
    readonly assignmentId: string,
    readonly orderId: string,
    readonly command: string,
  ) {
    super('ORDER_NOT_FOUND', `cannot ${command}: assignment ${assignmentId} has no order ${orderId}`);
  }
}

/**
 * The assignment's workflow state forbids the command: no orders for a declined assignment,
 * and only `Deleted` orders once it is revoked.
 */
export class AssignmentWorkflowError extends DomainError {
  override readonly name = 'AssignmentWorkflowError';

  constructor(
    readonly assignmentId: string,
    readonly workflowState: string,
    readonly command: string,
    readonly detail?: string,
  ) {
    const reason = detail ? ` (${detail})` : '';
    super(
      'ASSIGNMENT_WORKFLOW_CONFLICT',
      `cannot ${command}: assignment ${assignmentId} is ${workflowState}${reason}`,
    );
  }
}

/** An order is deactivated only once its assignment's end date has passed. */
export class EndDateNotPassedError extends DomainError {
  override readonly name = 'EndDateNotPassedError';

  constructor(
    readonly assignmentId: string,
    readonly command: string,
    readonly endsAt: string | undefined,
    readonly now: string,
  ) {
    super(
      'END_DATE_NOT_PASSED',
      endsAt
        ? `cannot ${command}: the end date ${endsAt} of assignment ${assignmentId} has not passed at ${now}`
        : `cannot ${command}: assignment ${assignmentId} has no end date`,
    );
  }
}

/** A command carries a value that breaks a rule; `field` and `rule` say which. HTTP 400. */
export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';

  constructor(
    readonly command: string,
    readonly field: string,
    readonly rule: string,
  ) {
    super('VALIDATION_FAILED', `invalid ${command}: ${field} ${rule}`);
  }
}

/**
 * The refusal of a command of no known type: a decider's `default` branch, which the type
 * checker proves unreachable (`command` is `never` there) but a message off the bus may reach.
 */
export function unknownCommandError(command: never): ValidationError {
  return new ValidationError(String((command as { type?: unknown }).type), 'type', 'is not a known command');
}

export class IdentityNotFoundError extends DomainError {
  override readonly name = 'IdentityNotFoundError';

  constructor(
    readonly identityId: string,
    readonly command?: string,
  ) {
    super('IDENTITY_NOT_FOUND', `${refused(command)}identity ${identityId} is not registered`);
  }
}

/** RegisterIdentity for an identity that is registered with different data. */
export class IdentityAlreadyRegisteredError extends DomainError {
  override readonly name = 'IdentityAlreadyRegisteredError';

  constructor(
    readonly identityId: string,
    readonly differingFields: readonly string[],
  ) {
    super(
      'IDENTITY_ALREADY_REGISTERED',
      `cannot RegisterIdentity: identity ${identityId} is already registered with a different ${differingFields.join(', ')}` +
        ' (use UpdateIdentity)',
    );
  }
}

/** The identity is deactivated (a leaver): nothing new is granted to it until it is reactivated. */
export class IdentityInactiveError extends DomainError {
  override readonly name = 'IdentityInactiveError';

  constructor(
    readonly identityId: string,
    readonly command: string,
  ) {
    super(
      'IDENTITY_INACTIVE',
      `cannot ${command}: identity ${identityId} is deactivated (reactivate it first)`,
    );
  }
}

/** Another active identity holds the login (logins are unique among active identities). HTTP 409. */
export class LoginTakenError extends DomainError {
  override readonly name = 'LoginTakenError';

  constructor(
    readonly login: string,
    readonly holderIdentityId: string,
    readonly command: string,
  ) {
    super('LOGIN_TAKEN', `cannot ${command}: login ${login} is held by identity ${holderIdentityId}`);
  }
}

/** A birthright rule holds the entitlement: only the rule (a change of the identity) removes it. */
export class EntitlementHeldByRuleError extends DomainError {
  override readonly name = 'EntitlementHeldByRuleError';

  constructor(
    readonly assignmentId: string,
    readonly ruleIds: readonly string[],
  ) {
    super(
      'ENTITLEMENT_HELD_BY_RULE',
      `cannot RevokeAssignment: assignment ${assignmentId} is held by birthright rule ${ruleIds.join(', ')}; ` +
        'it ends when the rule stops holding for the identity',
    );
  }
}

/** The identity already holds the entitlement through an assignment with other dates. HTTP 409. */
export class AssignmentDatesDifferError extends DomainError {
  override readonly name = 'AssignmentDatesDifferError';

  constructor(
    readonly assignmentId: string,
    readonly entitlementId: string,
  ) {
    super(
      'ASSIGNMENT_DATES_DIFFER',
      `cannot RequestAssignment: the identity already holds ${entitlementId} through assignment ${assignmentId} ` +
        'with other dates (revoke it first, or request with the same dates)',
    );
  }
}
