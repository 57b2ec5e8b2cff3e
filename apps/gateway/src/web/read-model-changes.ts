import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import { readHardeningSettings, type ServiceEnvironment } from '@prov/config';
import { SERVICE_ENVIRONMENT } from '@prov/platform';
import { LIVE_SCHEMA, READ_MODEL_CHANNEL } from '@prov/read-models';

/** One committed read-model change, as the console receives it. */
export interface ReadModelChange {
  /** `rm` for the live read models; another name while an audit replay builds aside. */
  schema: string;
  /** The streams whose events were applied (`assignment-<id>`, `job-<id>`, ...). */
  streamNames: string[];
  /** The type of the last event applied. */
  type: string;
  /** True when more streams changed than are listed: the receiver should refresh everything. */
  truncated: boolean;
}

/**
 * What a subscriber hears: changes; `resync` after the listener was reconnected (changes may have
 * been missed); `closing` when the gateway shuts down (streams end, so the server can close).
 */
export type ChangeSignal =
  { kind: 'change'; change: ReadModelChange } | { kind: 'resync' } | { kind: 'closing' };
export type ChangeListener = (signal: ChangeSignal) => void;

const MAX_RETRY_MS = 10_000;

/** Reads the projector's NOTIFY payload; older projectors send one `streamName`, newer ones `streamNames`. */
export function parseChange(payload: string | undefined): ReadModelChange | undefined {
  if (!payload) return undefined;
  try {
    const body = JSON.parse(payload) as {
      schema?: unknown;
      streamName?: unknown;
      streamNames?: unknown;
      type?: unknown;
      count?: unknown;
    };
    const names = Array.isArray(body.streamNames)
      ? body.streamNames.filter((name): name is string => typeof name === 'string')
      : typeof body.streamName === 'string'
        ? [body.streamName]
        : [];
    const count = typeof body.count === 'number' ? body.count : names.length;
    return {
      schema: typeof body.schema === 'string' ? body.schema : LIVE_SCHEMA,
      streamNames: names,
      type: typeof body.type === 'string' ? body.type : 'unknown',
      truncated: names.length === 0 || count > names.length,
    };
  } catch {
    return undefined;
  }
}

/**
 * Listens on the projector's channel with one dedicated connection (LISTEN cannot share a pooled
 * one) and fans every notification out to the subscribers: however many consoles follow the
 * live view, the database sees one listener. Connects on the first subscriber, reconnects with
 * back-off when the connection drops, and tells subscribers to resync afterwards.
 */
@Injectable()
export class ReadModelChanges implements BeforeApplicationShutdown {
  private readonly logger = new Logger('ReadModelChanges');
  private readonly listeners = new Set<ChangeListener>();
  private client?: Client;
  private connecting?: Promise<void>;
  private retryTimer?: NodeJS.Timeout;
  private retryMs = 500;
  private closed = false;
  private hadConnection = false;

  constructor(@Inject(SERVICE_ENVIRONMENT) private readonly environment: ServiceEnvironment) {}

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Adds a listener; the returned function removes it. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    void this.ensureListening();
    return () => {
      this.listeners.delete(listener);
    };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.emit({ kind: 'closing' });
    this.listeners.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private ensureListening(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.environment.databaseUrl,
      application_name: 'prov-gateway-listen',
      connectionTimeoutMillis: readHardeningSettings().databaseConnectTimeoutMs,
    });
    client.on('notification', (message: Notification) => this.onNotification(message));
    client.on('error', (error) => this.onLost(client, error));
    client.on('end', () => this.onLost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${READ_MODEL_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.scheduleRetry(error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = 500;
    if (this.hadConnection) this.emit({ kind: 'resync' });
    this.hadConnection = true;
    this.logger.log({ msg: 'listening for read-model changes', channel: READ_MODEL_CHANNEL });
  }

  private onNotification(message: Notification): void {
    if (message.channel !== READ_MODEL_CHANNEL) return;
    const change = parseChange(message.payload);
    if (change) this.emit({ kind: 'change', change });
  }

  private onLost(client: Client, error?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    if (!this.closed) this.scheduleRetry(error ?? new Error('connection ended'));
  }

  private scheduleRetry(error: unknown): void {
    if (this.closed || this.retryTimer) return;
    this.logger.warn({
      msg: 'read-model change listener lost; retrying',
      error: String(error),
      inMs: this.retryMs,
    });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.listeners.size > 0) void this.ensureListening();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  private emit(signal: ChangeSignal): void {
    for (const listener of this.listeners) {
      try {
        listener(signal);
      } catch (error) {
        this.logger.warn({ msg: 'a change listener failed', error: String(error) });
      }
    }
  }
}
