import { sliceLength } from './batch';

/**
 * Commands of one caller and kind in flight at once before further single requests wait and
 * go together (ADR 0053). Two, so that `requests` has the next command while it answers one;
 * a lone request, or a second one beside it, goes at once as before.
 */
export const COALESCED_COMMANDS_IN_FLIGHT = 2;

/**
 * What to send now for one caller's single requests of one kind: the sizes of the commands to
 * send, each taking that many of the waiting requests from the front (1: the single command;
 * more: one batch command). Called when a request arrives and when a command of the caller
 * ends; it sends while fewer than `maxInFlight` commands are in flight, so an idle caller's
 * request never waits, and requests that arrive while the commands are busy wait only for the
 * first of them to end, then go together.
 *
 * @param inFlight the caller's commands of this kind in flight now
 * @param waiting the JSON sizes of the requests waiting, oldest first
 */
export function commandsToSend(
  inFlight: number,
  waiting: readonly number[],
  maxInFlight = COALESCED_COMMANDS_IN_FLIGHT,
): number[] {
  const sizes: number[] = [];
  for (let from = 0; from < waiting.length && inFlight + sizes.length < maxInFlight;) {
    const count = sliceLength(waiting, from);
    sizes.push(count);
    from += count;
  }
  return sizes;
}
