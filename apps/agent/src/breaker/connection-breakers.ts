import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
} from 'cockatiel';
import { Counter, Gauge } from 'prom-client';
import { type BreakerSettings, readAgentSettings } from '@prov/config';
import { metricsRegistry } from '@prov/platform';
import {
  afterCountedFailure,
  breakerGaugeValue,
  type BreakerState,
  type BreakerView,
  countsAgainstTarget,
  drainSlot,
  holdDelayMs,
} from './breaker-rules';

/** How often a held order looks at its breaker at least (a probe by another order may have closed it). */
const HOLD_POLL_MS = 1000;

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

interface Breaker {
  policy: CircuitBreakerPolicy;
  reason?: string;
  since: number;
  openedAt?: number;
  closedAt?: number;
  lastStart: number;
  held: number;
}

/** Thrown to the consumer when it stops while an order is held: the order is redelivered later. */
export class HeldOrderAbandoned extends Error {
  override readonly name = 'HeldOrderAbandoned';
}

/** The breakers the gauges read when Prometheus scrapes. */
let reported: () => BreakerView[] = () => [];

new Gauge({
  name: 'prov_connection_breaker_state',
  help: "A connection's circuit breaker in this agent: 0 closed, 1 half-open (probing), 2 open (orders wait)",
  labelNames: ['connection'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const view of reported()) this.set({ connection: view.connectionId }, breakerGaugeValue(view.state));
  },
});

new Gauge({
  name: 'prov_connection_breaker_held_orders',
  help: 'Orders of a connection this agent holds while its breaker is not closed',
  labelNames: ['connection'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const view of reported()) this.set({ connection: view.connectionId }, view.heldOrders);
  },
});

const opened = new Counter({
  name: 'prov_connection_breaker_opened_total',
  help: "Times a connection's circuit breaker opened in this agent",
  labelNames: ['connection'] as const,
  registers: [metricsRegistry],
});

/**
 * One cockatiel breaker per connection. Orders go through `run`: while the connection's target
 * keeps failing they are held (their JetStream delivery in progress, its count unused), and since
 * held orders fill the consumer's slots, the rest of the backlog stays undelivered in the stream.
 * After AGENT_BREAKER_HALF_OPEN_MS one order probes the target; once it answers, orders start at
 * most AGENT_DRAIN_PER_SECOND a second for AGENT_DRAIN_MS.
 */
@Injectable()
export class ConnectionBreakers {
  private readonly logger = new Logger('CircuitBreaker');
  private readonly breakers = new Map<string, Breaker>();

  constructor(private readonly settings: BreakerSettings = readAgentSettings().breaker) {
    // One agent process has one instance; the latest one is what the gauges report.
    reported = () => this.states();
  }

  states(): BreakerView[] {
    return [...this.breakers.keys()].map((id) => this.state(id));
  }

  state(connectionId: string): BreakerView {
    const b = this.breaker(connectionId);
    const state = STATES[b.policy.state];
    return {
      connectionId,
      state,
      ...(state !== 'closed' && b.reason ? { reason: b.reason } : {}),
      since: new Date(b.since).toISOString(),
      heldOrders: b.held,
    };
  }

  /** Runs one order's call to the target through the connection's breaker (see the class). */
  async run<T>(connectionId: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const breaker = this.breaker(connectionId);
    let holding = false;
    const hold = async () => {
      if (!holding) {
        holding = true;
        breaker.held++;
      }
      const delay = holdDelayMs(breaker.openedAt, this.settings.halfOpenAfterMs, Date.now(), HOLD_POLL_MS);
      await sleep(delay, undefined, signal ? { signal } : {}).catch(() => undefined);
    };
    try {
      for (;;) {
        if (signal?.aborted)
          throw new HeldOrderAbandoned(`the agent stops; order of ${connectionId} left for redelivery`);
        const now = Date.now();
        const slot = drainSlot(this.settings, breaker.closedAt, breaker.lastStart, now);
        breaker.lastStart = slot;
        if (slot > now) await sleep(slot - now);
        try {
          return await breaker.policy.execute(call);
        } catch (error) {
          // Open, or another order is the probe: no call was made; wait and ask again.
          if (error instanceof BrokenCircuitError) {
            await hold();
            continue;
          }
          if (!countsAgainstTarget(error)) throw error;
          breaker.reason = (error as Error).message;
          if (afterCountedFailure(STATES[breaker.policy.state]) === 'redeliver') throw error;
          await hold();
        }
      }
    } finally {
      if (holding) breaker.held--;
    }
  }

  private breaker(connectionId: string): Breaker {
    const existing = this.breakers.get(connectionId);
    if (existing) return existing;
    const policy = circuitBreaker(handleWhen(countsAgainstTarget), {
      halfOpenAfter: this.settings.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(this.settings.failuresToOpen),
    });
    const created: Breaker = { policy, since: Date.now(), lastStart: 0, held: 0 };
    policy.onBreak((why) => {
      created.since = created.openedAt = Date.now();
      if ('error' in why) created.reason = why.error.message;
      opened.inc({ connection: connectionId });
      this.logger.warn({
        msg: 'circuit breaker opened: orders wait Pending',
        connectionId,
        reason: created.reason,
      });
    });
    policy.onHalfOpen(() => {
      created.since = Date.now();
      this.logger.log({ msg: 'circuit breaker half-open: one order probes the target', connectionId });
    });
    policy.onReset(() => {
      created.since = created.closedAt = Date.now();
      created.openedAt = undefined;
      this.logger.log({
        msg: 'circuit breaker closed: the backlog drains',
        connectionId,
        perSecond: this.settings.drainPerSecond,
      });
    });
    this.breakers.set(connectionId, created);
    return created;
  }
}
