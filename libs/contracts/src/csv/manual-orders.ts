import { type CsvFormatOptions, formatCsv } from './csv';

/**
 * The manual queue as operators receive it: the same columns from the gateway's export
 * (`GET /api/manual/orders.csv`) and from the console's download, so one import reads both.
 */
export const MANUAL_ORDER_COLUMNS = [
  'orderId',
  'assignmentId',
  'identityId',
  'entitlementId',
  'connectionId',
  'changeType',
  'accountKey',
  'group',
  'attributes',
  'transmittedAt',
] as const;

/** What a manual order line needs: the read model's order view, as the API returns it. */
export interface ManualOrderLike {
  orderId: string;
  assignmentId: string;
  identityId: string;
  entitlementId: string;
  connectionId: string | null;
  changeType: string | null;
  changes: unknown;
  /** An order stays Transmitted until decided, so its last change is the transmission. */
  updatedAt: string;
}

export function manualOrderRecord(order: ManualOrderLike): unknown[] {
  const changes = (order.changes ?? {}) as { accountKey?: unknown; group?: unknown; attributes?: unknown };
  return [
    order.orderId,
    order.assignmentId,
    order.identityId,
    order.entitlementId,
    order.connectionId,
    order.changeType,
    changes.accountKey,
    changes.group,
    changes.attributes ?? {},
    order.updatedAt,
  ];
}

/** One line per order under the header. */
export function formatManualOrders(
  orders: readonly ManualOrderLike[],
  options: CsvFormatOptions = {},
): string {
  return formatCsv([[...MANUAL_ORDER_COLUMNS], ...orders.map(manualOrderRecord)], options);
}
