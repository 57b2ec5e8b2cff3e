import type { JetStreamManager, MsgRequest } from 'nats';
import { ORDERS_STREAM, ordersSubject } from '../subjects';
import { isJetStreamApiError, JetStreamErrorCodes } from './jetstream-errors';

/**
 * When the oldest order still in a connection's work queue was stored; undefined when none is.
 *
 * The work queue keeps an order until an agent acks it, whether it was delivered already, is
 * waiting for its retry, or has not been delivered yet. So every order published before this
 * instant has left the queue: applied and reported, dead-lettered, or acked without a report
 * reaching the orders service. The orders service sends again only those that got no report, not
 * the ones that merely wait in a long queue (ADR 0076).
 */
export async function oldestQueuedOrderAt(
  jsm: JetStreamManager,
  connectionId: string,
): Promise<Date | undefined> {
  try {
    // The first message of the subject from sequence 0. nats-server 2.9 takes `next_by_subj` on
    // STREAM.MSG.GET; nats.js 2.29 types it for direct gets only, which the stream does not allow.
    const first = { next_by_subj: ordersSubject(connectionId), seq: 0 } as unknown as MsgRequest;
    const oldest = await jsm.streams.getMessage(ORDERS_STREAM, first);
    return oldest.time;
  } catch (error) {
    if (isJetStreamApiError(error, JetStreamErrorCodes.NoMessageFound)) return undefined;
    throw error;
  }
}
