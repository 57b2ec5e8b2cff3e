/**
 * One LISTEN connection per store, shared by all its subscriptions. A notification only says
 * "something committed, read again"; subscriptions still poll, because a notified event can be
 * held back by the xmin gate (an older transaction still running), and because notifications
 * are lost while the connection is down.
 */
import type { Notification, Pool, PoolClient } from 'pg';
import { ChangeSignal } from '../core/log-subscription';
import { decodeAnnouncement } from '../core/subscription-wake-ups';
import { NOTIFY_CHANNEL } from './schema/migrations';

export class NotificationListener {
  readonly changes = new ChangeSignal();
  private client: PoolClient | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string = NOTIFY_CHANNEL,
  ) {}

  /** Starts listening if not already; a failure is left to the poll and retried on the next call. */
  async ensureListening(): Promise<void> {
    if (this.client || this.closed) return;
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    await this.connecting;
  }

  private async connect(): Promise<void> {
    let client: PoolClient | undefined;
    try {
      client = await this.pool.connect();
      const listening = client;
      listening.on('notification', (message: Notification) => {
        if (message.channel === this.channel) this.changes.notify(decodeAnnouncement(message.payload));
      });
      // Without a listener, an 'error' on a checked-out client would crash the process.
      listening.on('error', () => this.drop(listening));
      await listening.query(`LISTEN ${this.channel}`);
      if (this.closed) {
        listening.release(true);
        return;
      }
      this.client = listening;
      // Commits between the subscriber's last read and LISTEN sent nothing we heard: read again.
      this.changes.notify();
    } catch {
      client?.release(true);
    }
  }

  private drop(client: PoolClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    // The connection is dead; destroy it rather than return it to the pool.
    client.release(true);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    // Destroyed, not returned: a pooled connection must not stay subscribed to the channel.
    client?.release(true);
  }
}
