/**
 * Every NATS name the services share: command subjects, the orders work queue, its dead-letter
 * stream, message ids and consumer names (docs/architecture.md §5).
 *
 * The builders validate their inputs instead of escaping them: a '.' in a connection id would
 * silently create a deeper subject that no consumer filter matches, and a '*' or '>' would
 * turn a publish subject into a wildcard. Failing loudly at the call site is the only safe
 * answer, because the mistake is always a configuration or programming error.
 */

/** Service and command names: lowercase words joined by dashes (`orders`, `report-error`). */
const COMMAND_TOKEN = /^[a-z][a-z0-9-]*$/;

/** Connection ids come from the role model file and end up in subjects and consumer names. */
const CONNECTION_ID = /^[a-z0-9_]+$/;

/**
 * Consumer names may be at most 255 characters on disk-friendly file systems; the subject
 * prefix is short, so this keeps every derived name comfortably within NATS limits.
 */
const MAX_CONNECTION_ID_LENGTH = 200;

/** Prefix of every request/reply command subject. */
export const COMMAND_SUBJECT_PREFIX = 'prov.cmd';

/** JetStream work-queue stream that carries provisioning orders to agents. */
export const ORDERS_STREAM = 'PROV_ORDERS';

/** Subjects bound to {@link ORDERS_STREAM}: one token per connection. */
export const ORDERS_SUBJECTS = 'prov.orders.*';

/** JetStream stream (limits retention) that keeps orders which could not be processed. */
export const ORDERS_DLQ_STREAM = 'PROV_ORDERS_DLQ';

/** Subjects bound to {@link ORDERS_DLQ_STREAM}. */
export const ORDERS_DLQ_SUBJECTS = 'prov.dlq.orders.*';

/** Thrown for a name that would produce an invalid or ambiguous NATS subject. */
export class InvalidSubjectTokenError extends Error {
  override readonly name = 'InvalidSubjectTokenError';
  readonly code = 'InvalidSubjectToken';

  constructor(
    readonly kind: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`invalid ${kind} ${JSON.stringify(value)}: expected ${expected}`);
  }
}

function assertCommandToken(kind: 'service' | 'command', value: unknown): asserts value is string {
  if (typeof value !== 'string' || !COMMAND_TOKEN.test(value)) {
    throw new InvalidSubjectTokenError(
      kind,
      value,
      'lowercase letters, digits and dashes, starting with a letter ([a-z][a-z0-9-]*)',
    );
  }
}

/** True when `value` may be used as a connection id in subjects and consumer names. */
export function isValidConnectionId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_CONNECTION_ID_LENGTH && CONNECTION_ID.test(value);
}

/** Throws {@link InvalidSubjectTokenError} unless `value` is a valid connection id. */
export function assertConnectionId(value: unknown): asserts value is string {
  if (!isValidConnectionId(value)) {
    throw new InvalidSubjectTokenError(
      'connection id',
      value,
      `lowercase letters, digits and underscores ([a-z0-9_]+), at most ${MAX_CONNECTION_ID_LENGTH} characters`,
    );
  }
}

/** `prov.cmd.<service>.<command>`: the request/reply subject of a command (`@MessagePattern`). */
export function commandSubject(service: string, command: string): string {
  assertCommandToken('service', service);
  assertCommandToken('command', command);
  return `${COMMAND_SUBJECT_PREFIX}.${service}.${command}`;
}

/**
 * `prov.cmd.<service>.<command>.<connectionId>`: a command about one connection, answered only by
 * the copies that serve it (an agent subscribes to its own connections' subjects), instead of by
 * whichever agent the queue group picks.
 */
export function connectionCommandSubject(service: string, command: string, connectionId: string): string {
  assertConnectionId(connectionId);
  return `${commandSubject(service, command)}.${connectionId}`;
}

/** `prov.cmd.<service>.<command>.*`: the handler pattern of a {@link connectionCommandSubject}. */
export function connectionCommandPattern(service: string, command: string): string {
  return `${commandSubject(service, command)}.*`;
}

/**
 * `prov-<service>`: the queue group all replicas of a service subscribe with, so each command
 * is handled by exactly one replica instead of by every one of them.
 */
export function commandQueueGroup(service: string): string {
  assertCommandToken('service', service);
  return `prov-${service}`;
}

/** `prov.orders.<connectionId>`: where the orders of one connection are published. */
export function ordersSubject(connectionId: string): string {
  assertConnectionId(connectionId);
  return `prov.orders.${connectionId}`;
}

/** `prov.dlq.orders.<connectionId>`: where the dead letters of one connection are kept. */
export function deadLetterSubject(connectionId: string): string {
  assertConnectionId(connectionId);
  return `prov.dlq.orders.${connectionId}`;
}

/**
 * `<orderId>:<attempt>`: the JetStream message id (`Nats-Msg-Id`). Publishing the same attempt
 * of an order twice within the stream's duplicate window stores it once, which is what makes
 * the `orders` service's re-dispatch of unreported orders safe. A retry is a new attempt and
 * therefore a new message.
 */
export function orderMessageId(orderId: string, attempt: number): string {
  if (typeof orderId !== 'string' || orderId.length === 0 || /\s/.test(orderId)) {
    throw new InvalidSubjectTokenError('order id', orderId, 'a non-empty string without whitespace');
  }
  if (!Number.isSafeInteger(attempt) || attempt < 0) {
    throw new InvalidSubjectTokenError('attempt', attempt, 'a non-negative integer');
  }
  return `${orderId}:${attempt}`;
}

/**
 * `prov-orders-<connectionId>`: the durable pull consumer every agent process of one connection
 * shares, so the connection's orders are spread over them and survive a dying agent.
 */
export function consumerName(connectionId: string): string {
  assertConnectionId(connectionId);
  return `prov-orders-${connectionId}`;
}
