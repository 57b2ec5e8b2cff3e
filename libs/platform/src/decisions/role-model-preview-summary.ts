import { currentOrder } from '@prov/domain';
import type { PreviewOrder, PreviewSubject, RoleModelPreview } from './role-model-preview';

/** What an order does to accounts and group memberships in the managed system. */
export interface Effect {
  connectionId: string;
  what: 'accounts' | 'memberships';
  change: 'added' | 'modified' | 'deleted';
  /** `<accountKey>` or `<accountKey> ∈ <group>`: the same account counts once per identity. */
  key: string;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * The effects of one identity's preview orders. Several entitlements share one account (one per
 * resource type and key): an Added order adds the account only when no other live assignment
 * of the identity has it, a Deleted order deletes it only when none keeps it.
 */
export function accountEffects(subject: PreviewSubject, orders: readonly PreviewOrder[]): Effect[] {
  const deleting = new Set(orders.filter((o) => o.changeType === 'Deleted').map((o) => o.assignmentId));
  const accountOf = (connectionId?: string, changes?: Record<string, unknown>) =>
    connectionId && text(changes?.accountKey) ? `${connectionId}/${text(changes?.accountKey)}` : undefined;
  const keptBy = new Map<string, string[]>();
  for (const assignment of subject.assignments) {
    const order = currentOrder(assignment);
    if (!order || order.changeType === 'Deleted' || deleting.has(assignment.assignmentId)) continue;
    const key = accountOf(order.connectionId, order.changes);
    if (key) keptBy.set(key, [...(keptBy.get(key) ?? []), assignment.assignmentId]);
  }
  const keptByOthers = (key: string, assignmentId?: string) =>
    (keptBy.get(key) ?? []).some((id) => id !== assignmentId);
  const effects = new Map<string, Effect>();
  const add = (connectionId: string, what: Effect['what'], change: Effect['change'], key: string) =>
    effects.set(`${connectionId}|${what}|${change}|${key}`, { connectionId, what, change, key });
  for (const order of orders) {
    const connectionId = order.connectionId;
    const account = text(order.changes?.accountKey);
    if (!connectionId || !account || !order.changeType) continue;
    const group = text(order.changes?.group);
    const previousGroup = text(order.previousChanges?.group);
    const here = accountOf(connectionId, order.changes)!;
    if (order.changeType === 'Added') {
      if (!keptByOthers(here, order.assignmentId)) add(connectionId, 'accounts', 'added', account);
      if (group) add(connectionId, 'memberships', 'added', `${account} ∈ ${group}`);
    } else if (order.changeType === 'Deleted') {
      if (!keptByOthers(here, order.assignmentId)) add(connectionId, 'accounts', 'deleted', account);
      if (group) add(connectionId, 'memberships', 'deleted', `${account} ∈ ${group}`);
    } else {
      const { group: _g, ...now } = order.changes ?? {};
      const { group: _p, ...before } = order.previousChanges ?? {};
      if (JSON.stringify(now) !== JSON.stringify(before)) add(connectionId, 'accounts', 'modified', account);
      if (group !== previousGroup) {
        if (previousGroup) add(connectionId, 'memberships', 'deleted', `${account} ∈ ${previousGroup}`);
        if (group) add(connectionId, 'memberships', 'added', `${account} ∈ ${group}`);
      }
    }
  }
  return [...effects.values()];
}

const zero = () => ({ added: 0, modified: 0, deleted: 0 });

/** A summary to add identities to, one at a time: only counts are kept, so memory stays flat. */
export function emptySummary(): RoleModelPreview {
  return {
    identities: 0,
    assignments: 0,
    orders: { added: 0, modified: 0, deleted: 0, failing: 0 },
    byConnection: [],
  };
}

/**
 * Adds one identity's preview orders: counts per order change type and, per connection, per
 * account and membership change. Connections stay sorted by id.
 */
export function addToSummary(
  summary: RoleModelPreview,
  subject: PreviewSubject,
  orders: readonly PreviewOrder[],
): void {
  summary.identities++;
  summary.assignments += subject.assignments.length;
  for (const order of orders) {
    if (order.changeType === 'Added') summary.orders.added++;
    else if (order.changeType === 'Modified') summary.orders.modified++;
    else if (order.changeType === 'Deleted') summary.orders.deleted++;
    else summary.orders.failing++;
  }
  if (orders.length === 0) return;
  for (const effect of accountEffects(subject, orders)) {
    let entry = summary.byConnection.find((c) => c.connectionId === effect.connectionId);
    if (!entry) {
      entry = { connectionId: effect.connectionId, accounts: zero(), memberships: zero() };
      summary.byConnection.push(entry);
      summary.byConnection.sort((a, b) => a.connectionId.localeCompare(b.connectionId));
    }
    entry[effect.what][effect.change]++;
  }
}
