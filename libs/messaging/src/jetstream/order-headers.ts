/**
 * Headers on order and dead-letter messages. The body stays the untouched order (so a dead
 * letter can be replayed as it is); everything about its fate goes into headers, which the
 * `nats` CLI and monitoring show without parsing the body.
 */
export const OrderHeaders = {
  OrderId: 'Prov-Order-Id',
  Attempt: 'Prov-Attempt',
  DeadLetterReason: 'Prov-Dead-Letter-Reason',
  DeadLetterKind: 'Prov-Dead-Letter-Kind',
  OriginalSubject: 'Prov-Original-Subject',
  OriginalSequence: 'Prov-Original-Sequence',
  DeliveryCount: 'Prov-Delivery-Count',
  Consumer: 'Prov-Consumer',
  DeadLetteredAt: 'Prov-Dead-Lettered-At',
} as const;

const MAX_HEADER_VALUE = 1024;

/**
 * Header values cannot contain line breaks (they would end the header block) and should stay
 * short; error messages can be long multi-line texts.
 */
export function headerValue(text: string): string {
  const single = text.replace(/[\r\n]+/g, ' ').trim();
  return single.length > MAX_HEADER_VALUE ? `${single.slice(0, MAX_HEADER_VALUE - 3)}...` : single;
}
