import { ClientNats, type NatsOptions, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { createInbox, type Msg, type NatsConnection, type Subscription } from 'nats';

type ReplyHandler = (error: string | Error | undefined, message: Msg) => unknown;

/** One wildcard subscription of a connection, and the pending requests by reply token. */
interface ReplyMux {
  connection: NatsConnection;
  prefix: string;
  subscription: Subscription;
  pending: Map<string, ReplyHandler>;
}

/**
 * Nest's NATS client, but with the replies of every request on one wildcard subscription of the
 * caller's inbox (`<inbox prefix>.<nuid>.*`, as nats.js's own `request()` does), instead of a
 * SUB before and an UNSUB after each request (ADR 0045). Per command that is one protocol
 * write instead of three, and no subscription churn in nats-server, whose subject cache every
 * SUB and UNSUB invalidates. The wire format, reply decoding (Nest's own handler), and the
 * private inbox prefix of ADR 0010 stay as they were.
 */
export class MuxedClientNats extends ClientNats {
  private mux?: ReplyMux;
  private token = 0;

  constructor(private readonly natsOptions: NonNullable<NatsOptions['options']>) {
    super(natsOptions);
  }

  protected override publish(
    partialPacket: ReadPacket,
    callback: (packet: WritePacket) => unknown,
  ): () => void {
    try {
      const connection = this.natsClient as unknown as NatsConnection;
      const packet = this.assignPacketId(partialPacket);
      const serialized = this.serializer.serialize(packet) as { data: unknown; headers?: unknown };
      const mux = this.replyMux(connection);
      const token = (this.token = (this.token + 1) % Number.MAX_SAFE_INTEGER).toString(36);
      mux.pending.set(token, this.createSubscriptionHandler(packet, callback));
      connection.publish(this.normalizePattern(partialPacket.pattern), serialized.data as Uint8Array, {
        reply: `${mux.prefix}.${token}`,
        headers: this.mergeHeaders(serialized.headers),
      });
      return () => mux.pending.delete(token);
    } catch (err) {
      callback({ err });
      return () => undefined;
    }
  }

  /** The connection's reply subscription, made on first use (nats.js renews it on reconnect). */
  private replyMux(connection: NatsConnection): ReplyMux {
    if (this.mux && this.mux.connection === connection && !this.mux.subscription.isClosed()) return this.mux;
    const prefix = createInbox(this.natsOptions.inboxPrefix);
    const pending = new Map<string, ReplyHandler>();
    const subscription = connection.subscribe(`${prefix}.*`, {
      callback: (error, message) => {
        if (error) {
          // The subscription is gone (a permissions violation, say): every waiting request fails
          // now, as its own subscription would have, and the next request subscribes again.
          for (const handler of pending.values()) void handler(error, message);
          pending.clear();
          return;
        }
        void pending.get(message.subject.slice(prefix.length + 1))?.(undefined, message);
      },
    });
    this.mux = { connection, prefix, subscription, pending };
    return this.mux;
  }
}
