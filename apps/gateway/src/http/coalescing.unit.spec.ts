import { MAX_BATCH_COMMAND_ITEMS } from '@prov/contracts';
import { BATCH_COMMAND_BYTES } from './batch';
import {
  COALESCED_ROUNDS_IN_FLIGHT,
  CONCURRENCY_MEMORY_MS,
  commandsToSend,
  EDGE_PACING_BURST,
  EDGE_ROUND_FULL,
  RoundPacing,
} from './coalescing';

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

describe('pacing one caller’s rounds (ADRs 0092, 0093)', () => {
  it('never holds a caller whose requests come one after another', () => {
    const pacing = new RoundPacing(40);
    for (let at = 1_000; at < 1_100; at += 5) {
      pacing.arrived(0, at);
      expect(pacing.start(at, 1)).toBe(0);
    }
    expect(pacing.remembered(1_100)).toBe(0);
  });

  it(`lets a concurrent caller's first ${EDGE_PACING_BURST} rounds go at once, then one per interval`, () => {
    const pacing = new RoundPacing(40);
    pacing.arrived(1, 1_000);
    const waits: number[] = [];
    for (let round = 0; round < EDGE_PACING_BURST + 2; round++) {
      const wait = pacing.start(1_000, 1);
      waits.push(wait);
      if (wait > 0) expect(pacing.start(1_000 + wait, 1)).toBe(0);
    }
    expect(waits).toEqual([...Array<number>(EDGE_PACING_BURST).fill(0), 40, 80]);
  });

  it(`starts a round of ${EDGE_ROUND_FULL} waiting at once (ADR 0093), taking one turn at most`, () => {
    const pacing = new RoundPacing(80);
    pacing.arrived(1, 1_000);
    for (let round = 0; round < EDGE_PACING_BURST; round++) expect(pacing.start(1_000, 1)).toBe(0);
    expect(pacing.start(1_000, EDGE_ROUND_FULL - 1)).toBe(80);
    expect(pacing.start(1_040, EDGE_ROUND_FULL)).toBe(0);
    // It took the turn due at 1,080: the next round gathers for an interval after it, until 1,120.
    expect(pacing.start(1_080, 1)).toBe(40);
    for (let round = 0; round < 10; round++) expect(pacing.start(1_080, EDGE_ROUND_FULL)).toBe(0);
    // Ten more full rounds: the partial round after them still waits one interval, not eleven.
    expect(pacing.start(1_080, 1)).toBe(80);
  });

  it(`forgets a caller's concurrency ${CONCURRENCY_MEMORY_MS} ms after the last request that overlapped another`, () => {
    const pacing = new RoundPacing(40);
    for (let round = 0; round < EDGE_PACING_BURST; round++) pacing.start(1_000, 1);
    pacing.arrived(3, 1_000);
    expect(pacing.wait(1_000)).toBe(40);
    expect(pacing.remembered(1_000)).toBe(CONCURRENCY_MEMORY_MS);
    pacing.arrived(0, 1_500);
    expect(pacing.remembered(1_500)).toBe(CONCURRENCY_MEMORY_MS - 500);
    expect(pacing.wait(2_000)).toBe(0);
    expect(pacing.remembered(2_000)).toBe(0);
  });

  it('holds nothing with an interval of 0', () => {
    const pacing = new RoundPacing(0);
    pacing.arrived(10, 1_000);
    for (let round = 0; round < 10; round++) expect(pacing.start(1_000, 1)).toBe(0);
  });
});
