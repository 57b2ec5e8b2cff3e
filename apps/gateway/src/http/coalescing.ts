import { Pacer } from '@prov/gathering';
import { sliceLength } from './batch';

/**
 * Rounds of commands of one caller and kind in flight at once before further single requests
 * wait and go together (ADR 0053). One: a lone request goes at once as before, and every request
 * that arrives while it is out goes in the next round when it ends. The round grows with the
 * load, as a group commit does, and is sent whole (in commands of at most 64 items, all at once),
 * so a request waits one round's round trip however many wait with it. Two were measured too: in
 * a burst of 32 concurrent requests they still sent 0.69 commands per request, since the
 * gateway's HTTP work, not the command, is the longer part.
 */
export const COALESCED_ROUNDS_IN_FLIGHT = 1;

/**
 * What to send now for one caller's single requests of one kind: the sizes of the commands of the
 * next round, each taking that many of the waiting requests from the front (1: the single command;
 * more: one batch command). Called when a request arrives and when a round of the caller ends; it
 * sends every waiting request while fewer than `maxRounds` rounds are in flight, so an idle
 * caller's request never waits, and requests that arrive while a round is out wait only for it.
 *
 * @param roundsInFlight the caller's rounds of this kind in flight now
 * @param waiting the JSON sizes of the requests waiting, oldest first
 */
export function commandsToSend(
  roundsInFlight: number,
  waiting: readonly number[],
  maxRounds = COALESCED_ROUNDS_IN_FLIGHT,
): number[] {
  if (roundsInFlight >= maxRounds) return [];
  const sizes: number[] = [];
  for (let from = 0; from < waiting.length;) {
    const count = sliceLength(waiting, from);
    sizes.push(count);
    from += count;
  }
  return sizes;
}

/**
 * How long a caller counts as one with concurrent requests after one of its requests arrived while
 * another of the same kind was outstanding (waiting or on its way).
 */
export const CONCURRENCY_MEMORY_MS = 1_000;

/** Rounds at once after a quiet spell, before they are paced. */
export const EDGE_PACING_BURST = 4;

/**
 * Requests waiting that make a round full (ADR 0093): it starts at once, without waiting for the
 * pacing or taking its turn. Pacing is there to gather; a caller whose requests already fill a
 * round gains nothing from the wait, and one with a fixed number of requests in flight (a
 * client's pool of 32) would otherwise be held to that many per interval.
 */
export const EDGE_ROUND_FULL = 16;

/**
 * When one caller's rounds of one kind may start (ADR 0092). A caller whose requests come one
 * after another is never held: each of its requests goes as soon as it arrives, as before. A
 * caller with requests outstanding concurrently has its rounds paced, a few at once and then one
 * per interval (`EDGE_ROUND_INTERVAL_MS`), so each round carries what arrived in an interval
 * rather than in one round trip. Every hop behind the edge (the command, the append, the
 * wake-up, each reaction's read and append) then works on batches of that size, at a rate set by
 * the interval, instead of on the one or two requests a round trip of an idle engine gathers.
 */
export class RoundPacing {
  private readonly pacer: Pacer;
  private concurrentUntil = 0;

  constructor(intervalMs: number) {
    this.pacer = new Pacer({ burst: EDGE_PACING_BURST, intervalMs });
  }

  /** A request arrived while `outstanding` others of the caller were waiting or on their way. */
  arrived(outstanding: number, now: number): void {
    if (outstanding > 0) this.concurrentUntil = now + CONCURRENCY_MEMORY_MS;
  }

  /** Milliseconds before the next paced round may start; 0: now. */
  wait(now: number): number {
    return now < this.concurrentUntil ? this.pacer.delay(now) : 0;
  }

  /**
   * Starts a round of `waiting` requests if it may start now (0), or says how many milliseconds
   * it must wait. A round that goes on its turn takes it; a full round goes early and takes the
   * next turn, so the round after it gathers for an interval rather than leaving with the first
   * request, but never more than one: after a run of full rounds the partial one that ends it
   * waits one interval at most.
   */
  start(now: number, waiting: number): number {
    const wait = this.wait(now);
    if (wait === 0) {
      this.pacer.take(now);
      return 0;
    }
    if (!RoundPacing.full(waiting)) return wait;
    this.pacer.takeAhead(now);
    return 0;
  }

  /** Whether `waiting` requests make a full round, which need not wait for its turn. */
  static full(waiting: number): boolean {
    return waiting >= EDGE_ROUND_FULL;
  }

  /**
   * How long this pacing must still be kept; 0 once the caller has had no concurrent requests for
   * CONCURRENCY_MEMORY_MS, when a new one holds nothing either (and starts with a whole burst), so
   * an idle caller's lane can go.
   */
  remembered(now: number): number {
    return now < this.concurrentUntil ? this.concurrentUntil - now : 0;
  }
}
