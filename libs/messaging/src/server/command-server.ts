import { Logger } from '@nestjs/common';
import { ServerNats } from '@nestjs/microservices';
import type { NatsOptions } from '@nestjs/microservices';
import { toJsonSafe } from '../errors/command-error-payload';
import { CommandPacketDeserializer, MalformedCommandError } from '../validation/command-packet';

type NatsMessage = { subject: string; reply?: string; data: Uint8Array; respond(data?: Uint8Array): boolean };

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
  }: NonNullable<NatsOptions['options']> & { maxJsonDepth?: number; subjectExpansions?: () => Readonly<Record<string, readonly string[]>> }) {
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
          client.subscribe(subject, { queue: handlerQueue, callback: this.getMessageHandler(pattern).bind(this) }),
        );
      }
    }
  }

  override async handleMessage(channel: string, natsMsg: NatsMessage): Promise<void> {
    try {
      await super.handleMessage(channel, natsMsg as never);
    } catch (error) {
      this.reject(channel, natsMsg, error);
    }
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
