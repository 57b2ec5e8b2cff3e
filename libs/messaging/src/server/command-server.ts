import { Logger } from '@nestjs/common';
import { ServerNats } from '@nestjs/microservices';
import type { NatsOptions } from '@nestjs/microservices';
import { toJsonSafe } from '../errors/command-error-payload';
import { CommandPacketDeserializer, MalformedCommandError } from '../validation/command-packet';
import { type Span, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { MsgHdrs } from 'nats';
import { engineTracer, extractTraceHeaders, SpanKind } from '../tracing/trace-propagation';

type NatsMessage = {
  subject: string;
  reply?: string;
  data: Uint8Array;
  headers?: MsgHdrs;
  respond(data?: Uint8Array): boolean;
};
type Packet = { err?: { code?: unknown; status?: unknown } | unknown; isDisposed?: boolean };
type Publisher = (packet: Packet) => unknown;

/**
 * Nest's NATS server with one difference: a message it cannot handle ends in a log line and,
 * when the sender waits for a reply, a 400 error reply; never in an unhandled rejection. Nest's
 * own server lets a parse error escape its subscription callback, which stops the process.
 */
export class CommandServer extends ServerNats {
  private readonly rejections = new Logger('Commands');
  private readonly expansions?: () => Readonly<Record<string, readonly string[]>>;
  private readonly queue?: string;

  constructor({
    maxJsonDepth,
    subjectExpansions,
    ...options
  }: NonNullable<NatsOptions['options']> & {
    maxJsonDepth?: number;
    subjectExpansions?: () => Readonly<Record<string, readonly string[]>>;
  }) {
    super({
      ...options,
      deserializer: options.deserializer ?? new CommandPacketDeserializer(maxJsonDepth),
    });
    this.expansions = subjectExpansions;
    this.queue = options.queue;
  }

  /**
   * Subscribes like Nest, except that a handler pattern with an expansion (an agent's
   * `prov.cmd.agent.synchronize.*`) is subscribed as the concrete subjects it lists: those of
   * the connections this copy serves. The handler is still found by its pattern, so guards,
   * pipes and filters apply as to any other command.
   */
  override bindEvents(client: Parameters<ServerNats['bindEvents']>[0]): void {
    const expansions = this.expansions?.() ?? {};
    // Nest's graceful shutdown unsubscribes what is in this (private) list.
    const subscriptions = (this as unknown as { subscriptions: unknown[] }).subscriptions;
    for (const pattern of [...this.messageHandlers.keys()]) {
      const subjects = expansions[pattern] ?? [pattern];
      const handlerQueue = this.messageHandlers.get(pattern)?.extras?.queue ?? this.queue;
      for (const subject of subjects) {
        subscriptions.push(
          client.subscribe(subject, {
            queue: handlerQueue,
            callback: this.getMessageHandler(pattern).bind(this),
          }),
        );
      }
    }
  }

  /**
   * The handler of a subject, looked up as it was subscribed. Nest first tries the subject as a
   * JSON pattern: every command paid for a thrown and caught SyntaxError (tens of µs on a loaded
   * machine, ADR 0051); only a subject that is no handler's key takes Nest's way.
   */
  override getHandlerByPattern(pattern: string): ReturnType<ServerNats['getHandlerByPattern']> {
    return this.messageHandlers.get(pattern) ?? super.getHandlerByPattern(pattern);
  }

  /**
   * Handles the command in a span that continues the sender's trace (its `traceparent` header),
   * active for the handler, so the events it appends and the commands it sends carry it. The
   * span ends with the reply (see getPublisher), or here for a message nobody waits for.
   */
  override async handleMessage(channel: string, natsMsg: NatsMessage): Promise<void> {
    const parent = extractTraceHeaders(natsMsg.headers);
    const span = engineTracer().startSpan(
      `process ${natsMsg.subject ?? channel}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'messaging.system': 'nats', 'messaging.destination.name': natsMsg.subject ?? channel },
      },
      parent,
    );
    await context.with(trace.setSpan(parent, span), async () => {
      try {
        await super.handleMessage(channel, natsMsg as never);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        this.reject(channel, natsMsg, error);
        span.end();
      }
    });
    if (!natsMsg.reply && span.isRecording()) span.end();
  }

  /** Nest's reply function, ending the command's span with the last packet of the reply. */
  override getPublisher(natsMsg: never, id: string, ctx: never): Publisher {
    const publish = super.getPublisher(natsMsg, id, ctx) as Publisher;
    const span = trace.getActiveSpan();
    if (!span) return publish;
    return (packet: Packet) => {
      if (packet.isDisposed || packet.err !== undefined) endWithReply(span, packet);
      return publish(packet);
    };
  }

  private reject(channel: string, natsMsg: NatsMessage, error: unknown): void {
    const malformed = error instanceof MalformedCommandError;
    const payload = malformed
      ? error.toPayload()
      : {
          code: 'InternalError',
          status: 500,
          message: 'the command could not be handled; see the service log',
        };
    const line = {
      msg: malformed ? 'malformed command rejected' : 'command failed outside its handler',
      subject: natsMsg.subject ?? channel,
      bytes: natsMsg.data?.length ?? 0,
      reason: malformed ? error.reason : String(error),
      replied: Boolean(natsMsg.reply),
    };
    if (malformed) this.rejections.warn(line);
    else this.rejections.error({ ...line, stack: (error as Error)?.stack });
    if (!natsMsg.reply) return;
    try {
      const packet = {
        ...(malformed && error.packetId ? { id: error.packetId } : {}),
        err: payload,
        isDisposed: true,
      };
      natsMsg.respond(new TextEncoder().encode(JSON.stringify(toJsonSafe(packet))));
    } catch (replyError) {
      this.rejections.warn({
        msg: 'could not answer a rejected command',
        subject: natsMsg.subject,
        error: String(replyError),
      });
    }
  }
}

function endWithReply(span: Span, packet: Packet): void {
  if (packet.err !== undefined) {
    const err = (typeof packet.err === 'object' && packet.err !== null ? packet.err : {}) as {
      code?: unknown;
      status?: unknown;
    };
    span.setAttribute('error.type', String(err.code ?? 'Error'));
    if (typeof err.status === 'number') span.setAttribute('prov.command.status', err.status);
    // A refusal the caller can fix (4xx) is an answer, not a fault of this service.
    if (typeof err.status !== 'number' || err.status >= 500)
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err.code ?? 'Error') });
  }
  span.end();
}
