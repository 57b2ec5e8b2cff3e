import type { LoggerService } from '@nestjs/common';
import type { Pool } from 'pg';
import { ProvisioningState } from '@prov/domain';
import { openOrdersWithDates, type TimedOrder } from '@prov/read-models';
import { lastChangeBound, redispatchChangeBound, redispatchDue } from './timer-rules';

/** When a connection's oldest queued order was stored; undefined when its queue is empty. */
export type QueueAge = (connectionId: string) => Promise<Date | undefined>;

/**
 * The Pending automatic orders to send again: past the dispatch timeout, and no longer in their
 * connection's work queue (ADR 0076). Each connection's oldest queued order bounds what is read,
 * so a queue that is long because its agent is slow or away is neither read at every tick nor
 * sent a second time; the orders that left it without a report are.
 */
export class LostDispatches {
  constructor(
    private readonly pool: Pool,
    private readonly queueAge: QueueAge,
    private readonly logger: Pick<LoggerService, 'warn'>,
  ) {}

  /** `connections`: the automatic connections of the role model, read one by one. */
  async *due(
    now: Date,
    dispatchTimeoutMs: number,
    connections: readonly string[],
  ): AsyncGenerator<TimedOrder> {
    const timeoutBound = lastChangeBound([dispatchTimeoutMs], now);
    if (!timeoutBound) return;
    const ages = new Map<string, Date | undefined | null>();
    const oldestQueuedAt = async (connectionId: string) => {
      if (!ages.has(connectionId)) ages.set(connectionId, await this.age(connectionId));
      return ages.get(connectionId);
    };
    const scans = connections.map((connectionId) => ({ connectionId }));
    // Orders of a connection the role model no longer has.
    const others = { connectionIdNotIn: [...connections] };
    for (const scan of [...scans, others]) {
      const queued = 'connectionId' in scan ? await oldestQueuedAt(scan.connectionId) : undefined;
      if (queued === null) continue;
      const changedBefore = redispatchChangeBound(timeoutBound, dispatchTimeoutMs, queued);
      const orders = openOrdersWithDates(this.pool, [ProvisioningState.Pending], {
        changedBefore,
        fulfillment: 'automatic',
        ...scan,
      });
      for await (const order of orders) {
        const age = order.connectionId ? await oldestQueuedAt(order.connectionId) : null;
        if (age !== null && redispatchDue(order, dispatchTimeoutMs, now, age)) yield order;
      }
    }
  }

  /** null when NATS did not say: that connection's orders wait for the next tick. */
  private async age(connectionId: string): Promise<Date | undefined | null> {
    try {
      return await this.queueAge(connectionId);
    } catch (error) {
      // E.g. a bus configuration from before ADR 0076, without the right to read the queue: the
      // other timers still run, and these orders are sent again once it is given.
      this.logger.warn({
        msg: 'cannot tell what is queued; not sending again',
        connectionId,
        error: String(error),
      });
      return null;
    }
  }
}
