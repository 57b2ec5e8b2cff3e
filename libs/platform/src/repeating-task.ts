/**
 * A service's background check: runs `work`, and `intervalMs` after each run ends runs it again
 * (never two runs at once, however long one takes), until stop(). A failed run is reported to
 * `onError` and the next run tries again; stop() waits for the run in progress.
 */
export class RepeatingTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private isStopped = false;

  constructor(
    private readonly work: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** True once stop() was called: a long run may check it to end early. */
  get stopped(): boolean {
    return this.isStopped;
  }

  /** First run now (`immediately`) or after one interval. */
  start(options: { immediately?: boolean } = {}): void {
    const tick = () => {
      if (this.isStopped) return;
      this.running = this.work()
        .catch((error: unknown) => this.onError(error))
        .finally(() => {
          if (!this.isStopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    if (options.immediately) tick();
    else this.timer = setTimeout(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
