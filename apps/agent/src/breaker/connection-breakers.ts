import { Injectable, Logger } from '@nestjs/common';
import { BrokenCircuitError, CircuitState, circuitBreaker, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { readBreakerConfiguration } from '@prov/config';
import { TransientConnectorError } from '@prov/connectors';
import { admitOrder, afterTransientFailure, type BreakerSettings, type BreakerState, drainDelayMs } from './breaker-policy';

/** How often a held order looks at its breaker again. */
const HOLD_POLL_MS = 250;

/** Waits, or less when the consumer stops; removes its abort listener either way (the signal is shared). */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

interface Breaker {
  policy: CircuitBreakerPolicy;
  reason?: string;
  closedAt?: number;
  lastStartAt: number;
}

export interface ConnectionBreakerState {
  connectionId: string;
  state: BreakerState;
  /** The last failure that kept the breaker open. */
  reason?: string;
}

/**
 * One cockatiel breaker per connection. Orders go through `run`: while a connection's target
 * keeps failing they wait (held, their JetStream delivery in progress) instead of using up
 * their deliveries; one order probes the target after a pause; once it answers, the held and
 * queued orders drain at a bounded rate.
 */
@Injectable()
export class ConnectionBreakers {
  private readonly logger = new Logger('CircuitBreaker');
  private readonly breakers = new Map<string, Breaker>();

  constructor(private readonly settings: BreakerSettings = readBreakerConfiguration()) {}

  states(): ConnectionBreakerState[] {
    return [...this.breakers.entries()].map(([connectionId, b]) => ({
      connectionId,
      state: STATES[b.policy.state],
      ...(b.policy.state !== CircuitState.Closed && b.reason ? { reason: b.reason } : {}),
    }));
  }

  async run<T>(connectionId: string, apply: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const breaker = this.breaker(connectionId);
    for (;;) {
      if (signal?.aborted) throw new Error(`stopping: order of ${connectionId} held by its open circuit breaker`);
      if (admitOrder(STATES[breaker.policy.state]) === 'hold') {
        await sleep(HOLD_POLL_MS, signal);
        continue;
      }
      const delay = drainDelayMs(this.settings, breaker.closedAt, breaker.lastStartAt, Date.now());
      if (delay > 0) {
        breaker.lastStartAt += 1000 / this.settings.drainPerSecond;
        await sleep(delay, signal);
      } else breaker.lastStartAt = Date.now();
      try {
        return await breaker.policy.execute(apply);
      } catch (error) {
        // Open (or another order is the probe): wait, the attempt was not made.
        if (error instanceof BrokenCircuitError) continue;
        if (!(error instanceof TransientConnectorError)) throw error;
        breaker.reason = error.message;
        if (afterTransientFailure(STATES[breaker.policy.state]) === 'redeliver') throw error;
      }
    }
  }

  private breaker(connectionId: string): Breaker {
    const breaker = this.breakers.get(connectionId);
    if (breaker) return breaker;
    const policy = circuitBreaker(handleWhen((error) => error instanceof TransientConnectorError), {
      halfOpenAfter: this.settings.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(this.settings.failuresToOpen),
    });
    const created: Breaker = { policy, lastStartAt: 0 };
    policy.onBreak(() => this.logger.warn({ msg: 'circuit breaker opened: orders wait', connectionId, reason: created.reason }));
    policy.onHalfOpen(() => this.logger.log({ msg: 'circuit breaker half-open: one order probes the target', connectionId }));
    policy.onReset(() => {
      created.closedAt = Date.now();
      this.logger.log({ msg: 'circuit breaker closed: the backlog drains', connectionId, perSecond: this.settings.drainPerSecond });
    });
    this.breakers.set(connectionId, created);
    return created;
  }
}
