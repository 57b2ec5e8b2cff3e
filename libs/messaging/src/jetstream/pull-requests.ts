import { createInbox, JsHeaders, type JsMsg, type Msg, type NatsConnection, type Subscription } from 'nats';
// Not re-exported by the package root: the same conversion nats.js applies to what `fetch()` receives.
import { toJsMsg } from 'nats/lib/jetstream/jsmsg';

export interface PullRequestsOptions {
  stream: string;
  consumer: string;
  /** How long the server keeps one pull request waiting for messages (its `expires`). */
  expiresMs: number;
  /** A delivered message. Called once per message, as it arrives. */
  onMessage: (msg: JsMsg) => void;
  /** The server will not serve this consumer's pulls (consumer deleted, no responders, bad request). */
  onError: (error: Error) => void;
  /** A request ended (expired) with messages undelivered: the caller may have slots to fill. */
  onExpired?: () => void;
}

/**
 * The inbox prefix the connection was opened with (`_INBOX.<identity>`, the only inboxes its user
 * may subscribe to: ADR 0010). nats.js keeps it in the connection's options, which its public
 * type does not show; its own `fetch()` reads it from there too.
 */
function inboxPrefixOf(nc: NatsConnection): string | undefined {
  return (nc as NatsConnection & { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
}

/** Status codes after which pulling on this consumer cannot go on: look it up again. */
const TERMINAL_STATUS = new Set([400, 503]);

/**
 * The pull requests of one durable consumer, all answered on one inbox subscribed for the
 * consumer's life (ADR 0049). nats.js `fetch()` subscribes a fresh inbox for every pull, with a
 * status watcher and timers, and unsubscribes it at the end: for an agent that pulls one order as
 * each one finishes, that was a subscribe, a pull and an unsubscribe per order, each also
 * rebuilding nats-server's subscription cache.
 *
 * It counts the messages asked for and not yet delivered (`outstanding`): the server answers the
 * waiting requests of a consumer in order, and a request that expires with messages undelivered
 * ends with a 408 status naming how many (`Nats-Pending-Messages`). A status that does not say is
 * taken to end everything asked for: asking again for too many only lets a message or two more in
 * than there are slots, never lets one wait unasked.
 */
export class PullRequests {
  private readonly inbox: string;
  private readonly nextSubject: string;
  private readonly subscription: Subscription;
  private asked = 0;
  private lastHeard = Date.now();
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: PullRequestsOptions,
  ) {
    this.inbox = createInbox(inboxPrefixOf(nc));
    this.nextSubject = `$JS.API.CONSUMER.MSG.NEXT.${options.stream}.${options.consumer}`;
    this.subscription = nc.subscribe(this.inbox, {
      callback: (error, msg) => (error ? this.fail(error) : this.received(msg)),
    });
  }

  /** Messages asked for that have neither arrived nor been given up by the server. */
  get outstanding(): number {
    return this.asked;
  }

  /** Asks for `batch` more messages. */
  pull(batch: number): void {
    if (batch < 1 || this.closed) return;
    this.nc.publish(this.nextSubject, this.requestBody(batch), { reply: this.inbox });
    this.asked += batch;
  }

  /**
   * Acks a processed message and asks for `batch` more in the same protocol message (JetStream's
   * `+NXT`, sent to the message's ack subject): one message to the server per order instead of an
   * ack, its confirmation, and a pull of its own.
   */
  ackAndPull(msg: JsMsg, batch: number): void {
    if (batch < 1 || this.closed) return msg.ack();
    msg.next(this.inbox, { batch, expires: this.options.expiresMs });
    this.asked += batch;
  }

  /**
   * Forgets what was asked (after a reconnect the server may have lost the waiting requests, and
   * whatever it still delivers is handled anyway).
   */
  forget(): void {
    this.asked = 0;
    this.lastHeard = Date.now();
  }

  /**
   * Nothing has been heard for two expiry periods while messages are asked for: the server should
   * have answered each request by then (messages or its 408), so they were lost on the way, or
   * went to a consumer that is gone (nats-server 2.9 answers those with nothing at all).
   */
  isStale(now = Date.now()): boolean {
    return this.asked > 0 && now - this.lastHeard > 2 * this.options.expiresMs;
  }

  /** Stops receiving: requests still waiting at the server find no interest and deliver nothing here. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription.unsubscribe();
  }

  private requestBody(batch: number): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ batch, expires: this.options.expiresMs * 1_000_000 }));
  }

  private received(msg: Msg): void {
    if (this.closed) return;
    this.lastHeard = Date.now();
    // Status messages come on the inbox itself; deliveries carry the stream's subject and an ack reply.
    if (msg.subject !== this.inbox) {
      this.asked = Math.max(0, this.asked - 1);
      this.options.onMessage(toJsMsg(msg));
      return;
    }
    const code = msg.headers?.code ?? 0;
    if (code === 100) return; // idle heartbeat (not asked for, but harmless)
    const description = msg.headers?.description ?? '';
    if (TERMINAL_STATUS.has(code) || /consumer (is )?deleted/i.test(description)) {
      this.fail(new Error(`pull on ${this.options.consumer} refused: ${code} ${description}`.trim()));
      return;
    }
    const left = Number(msg.headers?.get(JsHeaders.PendingMessagesHdr) ?? Number.NaN);
    this.asked = Number.isFinite(left) ? Math.max(0, this.asked - left) : 0;
    this.options.onExpired?.();
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.close();
    this.options.onError(error);
  }
}
