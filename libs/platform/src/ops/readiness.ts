import { TaskCancelledError, timeout, TimeoutStrategy } from 'cockatiel';

/** One dependency's state as the health endpoints report it. */
export interface CheckResult {
  status: 'up' | 'down';
  error?: string;
}

/** A connection's circuit breaker as an agent reports it (ADR 0024). */
export interface ConnectionBreakerReport {
  connectionId: string;
  state: 'closed' | 'open' | 'half-open';
  reason?: string;
  since: string;
  heldOrders: number;
}

export interface Readiness {
  ready: boolean;
  status: 'ok' | 'draining' | 'degraded';
  checks: Record<string, CheckResult>;
  /**
   * An agent's breakers. Shown, but they do not make the agent unready: the target is down,
   * not the agent, which still serves its other connections and keeps the held orders.
   */
  breakers?: ConnectionBreakerReport[];
}

/**
 * Whether a service should get work: every dependency answers and it is not draining. A
 * draining service (SIGTERM received) is not ready even with every dependency up, so the load
 * balancer stops sending it requests while it finishes what it has.
 */
export function readinessOf(
  checks: Record<string, CheckResult>,
  draining: boolean,
  breakers?: ConnectionBreakerReport[],
): Readiness {
  const up = Object.values(checks).every((check) => check.status === 'up');
  return {
    ready: up && !draining,
    status: draining ? 'draining' : up ? 'ok' : 'degraded',
    checks,
    ...(breakers ? { breakers } : {}),
  };
}

/**
 * A probe whose result is reused for `ttlMs`: a health check polled by several load balancers
 * and Prometheus costs one round trip per dependency per `ttlMs`, not one per call. Callers
 * arriving while a probe runs share it.
 */
export class CachedProbe<T> {
  private value?: { at: number; result: T };
  private running?: Promise<T>;

  constructor(
    private readonly probe: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (this.value && this.now() - this.value.at < this.ttlMs) return Promise.resolve(this.value.result);
    this.running ??= this.probe()
      .then((result) => {
        this.value = { at: this.now(), result };
        return result;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }
}

/** Runs `probe` with a time limit; any failure becomes a `down` result with its message. */
export async function check(probe: () => Promise<unknown>, timeoutMs = 2000): Promise<CheckResult> {
  try {
    await timeout(timeoutMs, TimeoutStrategy.Aggressive).execute(() => probe());
    return { status: 'up' };
  } catch (error) {
    if (error instanceof TaskCancelledError)
      return { status: 'down', error: `no answer within ${timeoutMs} ms` };
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  }
}
