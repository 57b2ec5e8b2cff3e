import type { OrderToApply } from './connector';
import { PermanentConnectorError } from './errors';

/**
 * The checks every connector makes before it writes anything: an order it cannot apply fails
 * permanently (INVALID_ORDER, retrying cannot help), listing all its problems at once.
 */

export interface OrderRules {
  /** Directories (LDAP, AD) ignore surrounding spaces: a key or group of spaces only is empty there. */
  blankIsEmpty?: boolean;
  /** The target's own problems with the order's attributes object (names, values, columns). */
  attributeProblems?(attributes: Record<string, unknown>, order: OrderToApply): string[];
}

export function invalidOrder(
  order: OrderToApply,
  connectionId: string,
  problems: readonly string[],
): PermanentConnectorError {
  return new PermanentConnectorError(
    `order ${order.orderId} cannot be applied by connection '${connectionId}': ${problems.join('; ')}`,
    { code: 'INVALID_ORDER' },
  );
}

/** Throws the INVALID_ORDER error when the order is not one this connection can apply. */
export function checkOrder(order: OrderToApply, connectionId: string, rules: OrderRules = {}): void {
  const empty = (text: string) => (rules.blankIsEmpty ? text.trim() : text) === '';
  const problems: string[] = [];
  if (order.connectionId !== connectionId) problems.push(`it is for connection '${order.connectionId}'`);
  if (!['Added', 'Modified', 'Deleted'].includes(order.changeType))
    problems.push(`unknown changeType '${order.changeType}'`);
  const { accountKey, attributes, group } = order.changes ?? {};
  if (typeof accountKey !== 'string' || empty(accountKey))
    problems.push('accountKey must be a non-empty text');
  if (group !== undefined && (typeof group !== 'string' || empty(group)))
    problems.push('group must be a non-empty text');
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes))
    problems.push('attributes must be an object');
  else if (rules.attributeProblems) problems.push(...rules.attributeProblems(attributes, order));
  if (problems.length > 0) throw invalidOrder(order, connectionId, problems);
}
