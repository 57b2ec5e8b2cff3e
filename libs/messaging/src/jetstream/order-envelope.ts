import { isValidConnectionId } from '../subjects';

/**
 * What travels on `prov.orders.<connectionId>`: a provisioning order with the three fields the
 * transport needs. The rest (change type, account attributes, groups, ...) belongs to the
 * orders/agent contract and passes through untouched.
 */
export interface OrderEnvelope {
  orderId: string;
  /** Which try of this order this is; a retry is a new attempt and a new message. */
  attempt: number;
  connectionId: string;
  /**
   * The order's place among its assignment's orders (0 for the first). Optional: an older
   * orders service does not send it. An agent does not apply an order older than one it applied.
   */
  sequence?: number;
  [key: string]: unknown;
}

const MAX_ORDER_ID_LENGTH = 200;

export class InvalidOrderEnvelopeError extends Error {
  override readonly name = 'InvalidOrderEnvelopeError';
  readonly code = 'InvalidOrderEnvelope';

  constructor(readonly problems: string[]) {
    super(`invalid order envelope: ${problems.join('; ')}`);
  }
}

/**
 * Everything wrong with `value` as an envelope (empty when it is fine). Checked by the publisher
 * so a bad order never enters the queue, and by the consumer because the queue may also hold
 * messages from an older or foreign publisher.
 */
export function orderEnvelopeProblems(value: unknown, expectedConnectionId?: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [
      `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
    ];
  }
  const order = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof order.orderId !== 'string' || order.orderId.length === 0) {
    problems.push('orderId must be a non-empty string');
  } else if (order.orderId.length > MAX_ORDER_ID_LENGTH || /[\s\p{Cc}]/u.test(order.orderId)) {
    problems.push(`orderId must have at most ${MAX_ORDER_ID_LENGTH} characters and no whitespace`);
  }
  if (!Number.isSafeInteger(order.attempt) || (order.attempt as number) < 0) {
    problems.push('attempt must be a non-negative integer');
  }
  if (
    order.sequence !== undefined &&
    (!Number.isSafeInteger(order.sequence) || (order.sequence as number) < 0)
  ) {
    problems.push('sequence, when present, must be a non-negative integer');
  }
  if (!isValidConnectionId(order.connectionId)) {
    problems.push('connectionId must match [a-z0-9_]+');
  } else if (expectedConnectionId !== undefined && order.connectionId !== expectedConnectionId) {
    problems.push(
      `connectionId is ${order.connectionId}, but the order was sent for ${expectedConnectionId}`,
    );
  }
  return problems;
}

export function assertOrderEnvelope(
  value: unknown,
  expectedConnectionId?: string,
): asserts value is OrderEnvelope {
  const problems = orderEnvelopeProblems(value, expectedConnectionId);
  if (problems.length > 0) throw new InvalidOrderEnvelopeError(problems);
}

/** JSON bytes of a valid envelope; throws `InvalidOrderEnvelopeError` for anything else. */
export function encodeOrder(order: OrderEnvelope, expectedConnectionId?: string): Uint8Array {
  assertOrderEnvelope(order, expectedConnectionId);
  let json: string;
  try {
    json = JSON.stringify(order);
  } catch (error) {
    // bigint values, cycles: better refused here than half-published.
    throw new InvalidOrderEnvelopeError([`not serializable as JSON (${(error as Error).message})`]);
  }
  return new TextEncoder().encode(json);
}

export type DecodedOrder =
  { ok: true; order: OrderEnvelope } | { ok: false; reason: string; orderId?: string };

/**
 * Parses a message body. Never throws: a body that is not a valid envelope is a *poison*
 * message, which the consumer dead-letters with `reason` instead of crashing or retrying it.
 * `orderId` is returned when it can be read, so the order can still be reported Errored.
 */
export function decodeOrder(data: Uint8Array, expectedConnectionId?: string): DecodedOrder {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (error) {
    return { ok: false, reason: `unparsable order message: ${(error as Error).message}` };
  }
  const problems = orderEnvelopeProblems(value, expectedConnectionId);
  if (problems.length === 0) return { ok: true, order: value as OrderEnvelope };
  const orderId = (value as { orderId?: unknown } | null)?.orderId;
  return {
    ok: false,
    reason: `invalid order envelope: ${problems.join('; ')}`,
    ...(typeof orderId === 'string' && orderId.length > 0 ? { orderId } : {}),
  };
}
