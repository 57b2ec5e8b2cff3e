/**
 * One probe shared by all callers for `ttlMs`: callers arriving while a probe runs wait for that
 * one instead of starting their own, and its result is served until it is `ttlMs` old. A load
 * balancer or monitor polling the health check then costs the dependencies at most one round
 * trip each per `ttlMs`, however often it asks (issue 11: the check reached NATS and PostgreSQL
 * twice on every call). A failed probe is cached the same way: a down dependency is not hammered.
 */
export class CachedProbe<T> {
  private current?: { startedAt: number; result: Promise<T> };

  constructor(
    private readonly probe: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    const now = this.now();
    // Age counts from the probe's start, so a slow probe is not served for longer than ttlMs after it answered late.
    if (!this.current || now - this.current.startedAt >= this.ttlMs) {
      this.current = { startedAt: now, result: this.probe() };
    }
    return this.current.result;
  }
}
