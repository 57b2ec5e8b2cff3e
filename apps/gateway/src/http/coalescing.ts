import { sliceLength } from './batch';

/**
 * Commands of one caller and kind in flight at once before further single requests wait and go
 * together (ADR 0053). One: a lone request goes at once as before, and every request that
 * arrives while it is out goes in the next command. The batch grows with the load, as a group
 * commit does (64 items per round trip at most), so the wait is one command's round trip.
 * Two were measured too: in a burst of 32 concurrent requests they still sent 0.69 commands
 * per request, since the gateway's HTTP work, not the command, is the longer part.
 */
export const COALESCED_COMMANDS_IN_FLIGHT = 1;

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
