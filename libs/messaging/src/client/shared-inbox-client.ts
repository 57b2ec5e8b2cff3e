import { ClientNats, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { EmptyResponseException } from '@nestjs/microservices/errors/empty-response.exception';
import type { Msg, NatsConnection } from 'nats';

/**
 * How long nats.js keeps a request open at most. Longer than any command's timeout: the
 * `CommandClient` gives up at its own timeout (504); this only bounds how long nats.js keeps the
 * request's entry of one that never got a reply.
 */
const REQUEST_LIMIT_MS = 15 * 60_000;

/**
 * Nest's NATS client, with the replies of all commands on the connection's one shared inbox
 * subscription (nats.js `request()`) instead of a subscription of its own per command (ADR 0049).
 * Nest's `ClientNats` subscribes a new inbox for every command and unsubscribes it after the
 * reply: two more protocol messages per command, and nats-server rebuilds its subscription
 * cache for each. The packet and its reply are Nest's, as before (the same serializer and reply
 * handler), and the reply still arrives under the connection's inbox prefix
 * (`_INBOX.<identity>.…`, the only inboxes its user may subscribe to: ADR 0010).
 */
export class SharedInboxClientNats extends ClientNats {
  protected override publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    try {
      const packet = this.assignPacketId(partialPacket);
      const subject = this.normalizePattern(partialPacket.pattern);
      const serialized = this.serializer.serialize(packet);
      const handleReply = this.createSubscriptionHandler(packet, callback);
      const nc = this.natsClient as NatsConnection;
      let cancelled = false;
      nc.request(subject, serialized.data, {
        timeout: REQUEST_LIMIT_MS,
        headers: this.mergeHeaders(serialized.headers),
      }).then(
        (reply: Msg) => {
          if (!cancelled) void handleReply(undefined, reply);
        },
        (error: Error & { code?: string }) => {
          if (cancelled) return;
          // What Nest's own client makes of nats-server's "no responders" status.
          const err = error.code === '503' ? new EmptyResponseException(subject) : error;
          callback({ err, isDisposed: true });
        },
      );
      // Unsubscribed (the caller's timeout): a late reply is dropped.
      return () => {
        cancelled = true;
      };
    } catch (err) {
      callback({ err });
      return () => undefined;
    }
  }
}
