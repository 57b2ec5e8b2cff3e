/**
 * Group commit (ADR 0015): appends that arrive while earlier ones are on their
 * way to the database wait in a queue and leave together, as one statement and one commit. There
 * is no timer: an append that finds a free slot leaves at the end of the event loop's turn it
 * arrived in (ADR 0060), so a lone writer pays nothing measurable, what one turn produced (the
 * items of a batch command, the handlers of one page of events) leaves as one group even while
 * slots are free, and under load the batches grow by themselves to what arrived during one round
 * trip. The one timer is opt-in: a rest after each run (`restAfter`, ADR 0078), for a target whose
 * every write costs the same however few items it carries.
 *
 * Each item gets its own outcome: the runner returns one per item, and a failure of the whole
 * group (the runner rejecting) fails only the items of that group.
 *
 * The same gathering serves other round trips that one call can do for many items: the agent's
 * report batches (`Batcher`), the LDAP connector's group modifies (`KeyedGathering`), the
 * orders service's coalesced reads.
 */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitOptions {
  /** Groups on their way at once; more overlap round trips, fewer make bigger groups. */
  maxInFlight: number;
  /** Upper bound on the weight (e.g. events) of one group; one heavier item still leaves alone. */
  maxWeight: number;
  /** Upper bound on the items of one group, where the runner's call takes only so many. */
  maxItems?: number;
  /**
   * How long a slot stays taken after a group's run of `runMs` (default: not at all), unless a
   * whole group is waiting by then or comes meanwhile. For a target whose every write costs in
   * proportion to what it writes to, not to how many items it carries (a directory's modify of a
   * large group decodes the whole group, ADR 0078): without a rest, one write is always on its
   * way and the target spends its time on writes of few items each.
   */
  restAfter?: (runMs: number) => number;
  /** Called when nothing is queued, on its way or resting any more. */
  onIdle?: () => void;
}

interface Waiting<T, R> {
  item: T;
  weight: number;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * The next group: items from the head of the queue up to `maxWeight` and `maxItems` (always at
 * least one).
 */
export function takeGroup<W extends { weight: number }>(
  queue: W[],
  maxWeight: number,
  maxItems = Infinity,
): W[] {
  let total = 0;
  let count = 0;
  const most = Math.min(queue.length, maxItems);
  while (count < most && (count === 0 || total + queue[count].weight <= maxWeight)) {
    total += queue[count].weight;
    count += 1;
  }
  return queue.splice(0, count);
}

export class GroupCommit<T, R> {
  private readonly queue: Waiting<T, R>[] = [];
  /** Slots taken: groups on their way and slots resting after one. */
  private inFlight = 0;
  private gathering = false;
  /** The timers of the slots resting after a run (see `restAfter`). */
  private readonly resting: NodeJS.Timeout[] = [];

  constructor(
    private readonly run: (items: T[]) => Promise<Outcome<R>[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T, weight = 1): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, weight, resolve, reject });
      if (this.resting.length > 0 && this.wholeGroupWaits()) this.endRest(this.resting[0]);
      this.gather();
    });
  }

  /** Nothing queued, on its way or resting. */
  get idle(): boolean {
    return this.inFlight === 0 && this.queue.length === 0;
  }

  /**
   * Drains once the turn's synchronous work and promise callbacks are done (setImmediate), not on
   * the first submit: with free slots, the first items of a turn used to leave alone, one
   * statement each, followed at once by the others as a group (ADR 0060).
   */
  private gather(): void {
    if (this.gathering) return;
    this.gathering = true;
    setImmediate(() => {
      this.gathering = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const group = takeGroup(this.queue, this.options.maxWeight, this.options.maxItems);
      this.inFlight += 1;
      const started = performance.now();
      void this.send(group).finally(() => this.release(performance.now() - started));
    }
    if (this.idle) this.options.onIdle?.();
  }

  /** A run's slot: free now, or after its rest (a whole group waiting ends the rest at once). */
  private release(runMs: number): void {
    const rest = this.options.restAfter?.(runMs) ?? 0;
    if (rest <= 0 || this.wholeGroupWaits()) {
      this.inFlight -= 1;
      this.drain();
      return;
    }
    const timer: NodeJS.Timeout = setTimeout(() => this.endRest(timer), rest);
    this.resting.push(timer);
  }

  private endRest(timer: NodeJS.Timeout): void {
    const index = this.resting.indexOf(timer);
    if (index < 0) return;
    clearTimeout(timer);
    this.resting.splice(index, 1);
    this.inFlight -= 1;
    this.gather();
  }

  private wholeGroupWaits(): boolean {
    if (this.queue.length >= (this.options.maxItems ?? Infinity)) return true;
    let weight = 0;
    for (const waiting of this.queue) if ((weight += waiting.weight) >= this.options.maxWeight) return true;
    return false;
  }

  private async send(group: Waiting<T, R>[]): Promise<void> {
    let outcomes: Outcome<R>[];
    try {
      outcomes = await this.run(group.map((w) => w.item));
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
      return;
    }
    group.forEach((waiting, index) => {
      const outcome = outcomes[index];
      if (!outcome) waiting.reject(new Error(`group commit: no outcome for item ${index}`));
      else if (outcome.ok) waiting.resolve(outcome.value);
      else waiting.reject(outcome.error);
    });
  }
}
