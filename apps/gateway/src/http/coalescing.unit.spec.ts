import { MAX_BATCH_COMMAND_ITEMS } from '@prov/contracts';
import { BATCH_COMMAND_BYTES } from './batch';
import { COALESCED_ROUNDS_IN_FLIGHT, commandsToSend } from './coalescing';

describe('coalescing single requests into commands', () => {
  it('sends a lone request at once, as the single command', () => {
    expect(commandsToSend(0, [40])).toEqual([1]);
  });

  it(`sends up to ${COALESCED_ROUNDS_IN_FLIGHT} rounds at once before requests wait`, () => {
    expect(commandsToSend(1, [40], 2)).toEqual([1]);
    expect(commandsToSend(COALESCED_ROUNDS_IN_FLIGHT, [40])).toEqual([]);
    expect(commandsToSend(COALESCED_ROUNDS_IN_FLIGHT, [40, 40, 40])).toEqual([]);
  });

  it('sends the requests that waited together when a round ends', () => {
    expect(commandsToSend(COALESCED_ROUNDS_IN_FLIGHT - 1, [40, 40, 40])).toEqual([3]);
  });

  it(`sends every waiting request in one round, in commands of at most ${MAX_BATCH_COMMAND_ITEMS} items`, () => {
    // The last of many waiting requests goes with the first, not one round trip per 64 later.
    const waiting = Array.from({ length: MAX_BATCH_COMMAND_ITEMS * 2 + 5 }, () => 40);
    expect(commandsToSend(0, waiting)).toEqual([MAX_BATCH_COMMAND_ITEMS, MAX_BATCH_COMMAND_ITEMS, 5]);
    expect(commandsToSend(1, waiting, 2)).toEqual([MAX_BATCH_COMMAND_ITEMS, MAX_BATCH_COMMAND_ITEMS, 5]);
    expect(commandsToSend(2, waiting, 2)).toEqual([]);
  });

  it('keeps a command under BATCH_COMMAND_BYTES, and sends a larger request on its own', () => {
    const large = BATCH_COMMAND_BYTES - 100;
    expect(commandsToSend(0, [200, large, 50])).toEqual([1, 2]);
    expect(commandsToSend(0, [BATCH_COMMAND_BYTES * 2, 10])).toEqual([1, 1]);
  });

  it('sends nothing when nothing waits', () => {
    expect(commandsToSend(0, [])).toEqual([]);
  });
});
