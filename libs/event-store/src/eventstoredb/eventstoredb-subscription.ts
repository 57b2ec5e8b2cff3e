/**
 * Adapts EventStoreDB's push-style catch-up subscription (a Readable plus a `checkpointReached`
 * callback) to the port's pull-style {@link Subscription}. Events and checkpoints go through one
 * queue, so checkpoints reach the consumer in order with the events and only between them, and
 * the Readable is paused while the consumer is behind.
 */
import type {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  EventStoreDBClient,
} from '@eventstore/db-client';
import {
  EventStoreError,
  comparePositions,
  type Position,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
} from '../core';
import {
  type EsdbEventLike,
  toEsdbPosition,
  toPortPosition,
  toRecordedEvent,
  toServerFilter,
  wanted,
} from './mapping';

type Item = { kind: 'event'; event: RecordedEvent } | { kind: 'checkpoint'; position: Position };

const HIGH_WATER = 1000;
const LOW_WATER = 100;

export class EventStoreDbSubscription implements Subscription {
  private readonly queue: Item[] = [];
  private wake: (() => void) | undefined;
  private failure: unknown;
  private ended = false;
  private closed = false;
  private started = false;
  private native: AllStreamSubscription | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: SubscribeToAllOptions,
    private readonly onEnd: (subscription: EventStoreDbSubscription) => void,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.started) throw new EventStoreError('a subscription can be iterated only once');
    this.started = true;
    return this.follow();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signal();
    if (!this.started) this.onEnd(this);
    await this.native?.unsubscribe().catch(() => undefined);
  }

  private push(item: Item): void {
    this.queue.push(item);
    if (this.queue.length >= HIGH_WATER) this.native?.pause();
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private start(): AllStreamSubscription {
    const { after, filter } = this.options;
    const native = this.client.subscribeToAll({
      fromPosition: toEsdbPosition(after), // exclusive, like the port's `after`
      resolveLinkTos: false,
      filter: toServerFilter(filter, (position) =>
        this.push({ kind: 'checkpoint', position: toPortPosition(position) }),
      ),
    });
    native.on('data', (resolved: AllStreamResolvedEvent) => {
      try {
        const event = resolved.event as EsdbEventLike | undefined;
        if (event && wanted(filter, event)) this.push({ kind: 'event', event: toRecordedEvent(event) });
        else if (event?.position) this.push({ kind: 'checkpoint', position: toPortPosition(event.position) });
      } catch (error) {
        // A throw inside a stream listener would crash the process; hand it to the consumer instead.
        this.failure = error;
        this.signal();
      }
    });
    native.on('error', (error: Error) => {
      this.failure = error;
      this.signal();
    });
    native.on('end', () => {
      this.ended = true;
      this.signal();
    });
    return native;
  }

  private async *follow(): AsyncGenerator<RecordedEvent> {
    let lastDelivered: Position | undefined;
    try {
      if (this.closed) return;
      this.native = this.start();
      while (!this.closed) {
        const item = this.queue.shift();
        if (!item) {
          if (this.failure) throw this.failure;
          if (this.ended) return;
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        if (this.queue.length <= LOW_WATER && this.native.isPaused()) this.native.resume();
        if (item.kind === 'event') {
          lastDelivered = item.event.position;
          yield item.event;
        } else if (
          this.options.onCheckpoint &&
          (lastDelivered === undefined || comparePositions(item.position, lastDelivered) > 0)
        ) {
          await this.options.onCheckpoint(item.position);
        }
      }
    } finally {
      await this.native?.unsubscribe().catch(() => undefined);
      this.onEnd(this);
    }
  }
}
