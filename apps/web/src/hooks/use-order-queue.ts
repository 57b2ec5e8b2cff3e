import { useMemo } from 'react';
import { getPage } from '../api/client';
import type { Order } from '../api/types';
import { useApiQuery } from './use-api-query';
import { useOrderActions } from './use-order-actions';
import { useSelection } from './use-selection';

/**
 * A queue of orders waiting for people (review, manual provisioning): the orders at `path`,
 * kept current by assignment events, the rows selected among them, the decisions run on them,
 * and what QueueNotices says about them.
 */
export function useOrderQueue(path: string) {
  const queue = useApiQuery([path], (signal) => getPage<Order>(path, signal), { live: ['assignment-'] });
  const orders = useMemo(() => queue.data?.items ?? [], [queue.data]);
  const orderIds = useMemo(() => orders.map((o) => o.orderId), [orders]);
  const selection = useSelection(orderIds);
  const { busy, outcome, perform, dismiss } = useOrderActions(queue.reload);
  const selected = orders.filter((o) => selection.isSelected(o.orderId));
  const notices = {
    error: queue.error,
    more: Boolean(queue.data?.next),
    shown: orders.length,
    outcome,
    onDismiss: dismiss,
  };
  return { loading: queue.loading, orders, selection, selected, busy, perform, notices };
}
