import { useCallback, useState } from 'react';
import { messageOf } from '../api/messages';
import type { Order } from '../api/types';
import { shortId } from '../format';
import { runBatch } from './use-selection';

export interface OrderAction {
  key: string;
  /** Button text: "Approve". */
  label: string;
  /** Past tense for the result: "approved". */
  done: string;
  /** Whether the action fits the order's state (buttons count and send only those). */
  applies(order: Order): boolean;
  run(order: Order): Promise<unknown>;
}

export interface ActionOutcome {
  kind: 'success' | 'error';
  text: string;
  problems: string[];
}

/** Runs a person's decision on one or many orders and words the outcome. */
export function useOrderActions(onFinished: () => void) {
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<ActionOutcome | null>(null);

  const perform = useCallback(
    async (action: OrderAction, orders: Order[]) => {
      const fitting = orders.filter((order) => action.applies(order));
      if (fitting.length === 0) return;
      setBusy(action.key);
      setOutcome(null);
      const byId = new Map(fitting.map((order) => [order.orderId, order]));
      try {
        const result = await runBatch([...byId.keys()], (id) => action.run(byId.get(id)!));
        const count = (n: number) => `${n} order${n === 1 ? '' : 's'}`;
        const problems = result.failed.map(({ id, error }) => {
          const order = byId.get(id)!;
          return `Order ${shortId(id)} (${order.identityId}, ${order.entitlementId}): ${messageOf(error)}`;
        });
        if (result.failed.length === 0) {
          setOutcome({
            kind: 'success',
            text: `${count(result.succeeded.length)} ${action.done}.`,
            problems,
          });
        } else {
          const head = result.succeeded.length ? `${count(result.succeeded.length)} ${action.done}; ` : '';
          setOutcome({
            kind: 'error',
            text: `${head}${count(result.failed.length)} could not be ${action.done}.`,
            problems,
          });
        }
      } finally {
        setBusy(null);
        onFinished();
      }
    },
    [onFinished],
  );

  return { busy, outcome, perform, dismiss: () => setOutcome(null) };
}
