import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ClientProxy, NatsRecordBuilder } from '@nestjs/microservices';
import { headers as natsHeaders } from 'nats';
import { catchError, defer, lastValueFrom, throwError, timeout } from 'rxjs';
import { COMMAND_TOKEN_HEADER, signCommand } from '../signing/command-token';
import { commandSubject, connectionCommandSubject } from '../subjects';
import { CommandError } from '../errors/command-error';
import { commandTimeout, toCommandError } from './wire-error';
import { inSpan, injectTraceHeaders, SpanKind } from '../tracing/trace-propagation';
import {
  COMMAND_CLIENT_PROXY,
  DEFAULT_COMMAND_TIMEOUT_MS,
  MESSAGING_OPTIONS,
  MessagingModuleOptions,
} from './messaging-options';

export interface SendCommandOptions {
  /** Give up after this long with a 504 `CommandTimeout`; defaults to the module's default. */
  timeoutMs?: number;
  /** For a command about one connection: `prov.cmd.<service>.<command>.<connectionId>`. */
  connectionId?: string;
}

/**
 * Sends commands (`prov.cmd.<service>.<command>`) and returns their reply, or throws a
 * {@link CommandError}. It exists because the bare Nest `ClientProxy.send()`:
 * - never times out: a request to a service that died after subscribing waits for ever;
 * - errors with plain objects, strings or Nest-internal exceptions, never one error type;
 * - completes *without a value* when a handler returns `undefined` (JSON drops the key), so a
 *   naive `lastValueFrom()` would reject with rxjs `EmptyError` for every void command.
 *
 * Commands are not retried here: a timeout does not say whether the command ran, so only the
 * caller, who knows whether the command is idempotent, can decide to send it again.
 */
@Injectable()
export class CommandClient implements OnApplicationBootstrap {
  private readonly logger = new Logger(CommandClient.name);
  private readonly defaultTimeoutMs: number;

  constructor(
    @Inject(COMMAND_CLIENT_PROXY) private readonly proxy: ClientProxy,
    @Inject(MESSAGING_OPTIONS)
    private readonly options: Pick<MessagingModuleOptions, 'defaultTimeoutMs' | 'signing'>,
  ) {
    this.defaultTimeoutMs = positiveTimeout(options.defaultTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  }

  /**
   * Connects early so that the first command does not pay for the connection, but does not fail
   * the start-up: a service may well come up before NATS does, and `send()` reconnects.
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.proxy.connect();
    } catch (error) {
      this.logger.warn({
        msg: 'NATS not reachable yet; commands fail with 503 until it is',
        error: String(error),
      });
    }
  }

  /**
   * Sends `payload` to `prov.cmd.<service>.<command>` and resolves with the handler's reply
   * (`undefined` for a handler that returns nothing).
   *
   * @throws CommandError the handler's error as it sent it (4xx, 500), `CommandTimeout` (504),
   * `NoResponders` / `NoHandler` / `NatsUnavailable` (503).
   */
  async send<T = unknown>(
    service: string,
    command: string,
    payload?: unknown,
    options: SendCommandOptions = {},
  ): Promise<T> {
    const subject =
      options.connectionId === undefined
        ? commandSubject(service, command)
        : connectionCommandSubject(service, command, options.connectionId);
    const timeoutMs = positiveTimeout(options.timeoutMs ?? this.defaultTimeoutMs);
    // The caller's trace continues in the handler: the span's context travels as `traceparent`.
    return inSpan(
      `send ${subject}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject },
      },
      () => this.request<T>(subject, payload, timeoutMs),
    );
  }

  private async request<T>(subject: string, payload: unknown, timeoutMs: number): Promise<T> {
    // Nest refuses `undefined`/`null` data outright; an empty object is what "no arguments" means.
    const data = payload ?? {};
    // The signature travels in a header; the body stays what the handler validates. Signed when
    // subscribed (`defer`), so that a failure to sign is this command's error like any other.
    const record = () => {
      const token = signCommand(this.options.signing.keys, {
        subject,
        body: data,
        ttlMs: this.options.signing.ttlMs,
      });
      const headers = natsHeaders();
      headers.set(COMMAND_TOKEN_HEADER, token);
      injectTraceHeaders(headers);
      return new NatsRecordBuilder(data).setHeaders(headers).build();
    };
    const reply$ = defer(() => this.proxy.send<T, unknown>(subject, record())).pipe(
      timeout({ each: timeoutMs, with: () => throwError(() => commandTimeout(subject, timeoutMs)) }),
      catchError((error: unknown) => throwError(() => toCommandError(error, subject, timeoutMs))),
    );
    return lastValueFrom(reply$, { defaultValue: undefined as T });
  }

  /** Like {@link send}, but resolves with the `CommandError` instead of throwing it. */
  async trySend<T = unknown>(
    service: string,
    command: string,
    payload?: unknown,
    options: SendCommandOptions = {},
  ): Promise<{ ok: true; value: T } | { ok: false; error: CommandError }> {
    try {
      return { ok: true, value: await this.send<T>(service, command, payload, options) };
    } catch (error) {
      if (error instanceof CommandError) return { ok: false, error };
      throw error;
    }
  }
}

function positiveTimeout(value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`a command timeout must be a positive number of milliseconds, got ${value}`);
  }
  return value;
}
