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
