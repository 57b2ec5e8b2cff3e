import type { CommandClient } from '@prov/messaging';
import type { Caller } from '../auth/api-token.guard';
import { EDGE_PACING_BURST, EDGE_ROUND_FULL } from './coalescing';
import { type CreateCommand, CreateCommands } from './create-command';

/** What the edge sent: when, which command and how many requests it carried. */
interface Sent {
  at: number;
  command: string;
  items: number;
}

const ROUND_TRIP_MS = 8;
const create: CreateCommand<{ n: number }, 'id'> = {
  command: 'request-assignment',
  idField: 'id',
  body: class {
    n = 0;
  },
};
const caller: Caller = { role: 'requester', actor: 'hr-feed' };

/** A `requests` service that answers every command after ROUND_TRIP_MS, each item with its own id. */
function fakeCommands(sent: Sent[]): CommandClient {
  const answer = (body: { n: number }) => ({ id: `a-${body.n}`, created: true });
  return {
    send: (_service: string, command: string, payload: { items?: { n: number }[]; n: number }) => {
      sent.push({ at: Date.now(), command, items: payload.items?.length ?? 1 });
      return new Promise((resolve) =>
        setTimeout(
          () =>
            resolve(
              payload.items
                ? { results: payload.items.map((item) => ({ value: answer(item) })) }
                : answer(payload),
            ),
          ROUND_TRIP_MS,
        ),
      );
    },
  } as unknown as CommandClient;
}

/** The edge with EDGE_ROUND_INTERVAL_MS set, on fake timers and a fake clock. */
function edgeWith(intervalMs: number, sent: Sent[]): CreateCommands {
  const before = process.env.EDGE_ROUND_INTERVAL_MS;
  process.env.EDGE_ROUND_INTERVAL_MS = String(intervalMs);
  try {
    return new CreateCommands(fakeCommands(sent));
  } finally {
    if (before === undefined) delete process.env.EDGE_ROUND_INTERVAL_MS;
    else process.env.EDGE_ROUND_INTERVAL_MS = before;
  }
}

describe('one caller’s single requests at the edge (ADRs 0053, 0092, 0093)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('sends each request of a caller that waits for every answer at once, however long the interval', async () => {
    const sent: Sent[] = [];
    const edge = edgeWith(1_000, sent);
    const arrivals: number[] = [];
    for (let n = 0; n < 6; n++) {
      arrivals.push(Date.now());
      const answer = edge.send(create, { n }, caller);
      await jest.advanceTimersByTimeAsync(ROUND_TRIP_MS);
      await expect(answer).resolves.toEqual({ id: `a-${n}`, created: true });
    }
    expect(sent).toEqual(arrivals.map((at) => ({ at, command: 'request-assignment', items: 1 })));
  });

  it('paces the rounds of a caller with concurrent requests, each request answered with its own result', async () => {
    const rounds = async (intervalMs: number) => {
      const sent: Sent[] = [];
      const edge = edgeWith(intervalMs, sent);
      const answers: Promise<unknown>[] = [];
      // 200 requests a second for one second, each arriving before the one before is answered.
      for (let n = 0; n < 200; n++) {
        answers.push(edge.send(create, { n }, caller));
        await jest.advanceTimersByTimeAsync(5);
      }
      await jest.advanceTimersByTimeAsync(1_000);
      expect(await Promise.all(answers)).toEqual(answers.map((_, n) => ({ id: `a-${n}`, created: true })));
      expect(sent.reduce((sum, command) => sum + command.items, 0)).toBe(200);
      return sent;
    };
    const unpaced = await rounds(0);
    const paced = await rounds(40);
    // Unpaced, a round leaves as soon as the one before is answered: one or two requests each.
    expect(unpaced.length).toBeGreaterThan(90);
    // Paced, after the burst a round at most every 40 ms: about 25 in the second.
    expect(paced.length).toBeLessThanOrEqual(EDGE_PACING_BURST + 1_000 / 40 + 1);
    const starts = paced.map((command) => command.at).slice(EDGE_PACING_BURST);
    starts.slice(1).forEach((at, i) => expect(at - starts[i]).toBeGreaterThanOrEqual(40));
    expect(paced.some((command) => command.command === 'request-assignment-batch')).toBe(true);
  });

  it('does not hold a caller with a fixed number of requests in flight to that many per interval (ADR 0093)', async () => {
    const sent: Sent[] = [];
    const edge = edgeWith(80, sent);
    let answered = 0;
    let running = true;
    // 32 clients, each sending its next request as soon as its last is answered.
    const client = async (id: number) => {
      for (let n = 0; running; n++) {
        const body = { n: id * 100_000 + n };
        await expect(edge.send(create, body, caller)).resolves.toEqual({ id: `a-${body.n}`, created: true });
        answered++;
      }
    };
    const clients = Array.from({ length: 32 }, (_, id) => client(id));
    await jest.advanceTimersByTimeAsync(1_000);
    running = false;
    await jest.advanceTimersByTimeAsync(1_000);
    await Promise.all(clients);
    // Held to its turns, 32 a round and one round per 80 ms, it would get about 400 in the second.
    expect(answered).toBeGreaterThan(32 * (1_000 / 80) * 2);
    expect(sent.some((command) => command.items >= EDGE_ROUND_FULL)).toBe(true);
  });

  it('forgets an idle caller once its concurrency is forgotten, and a new request then goes at once', async () => {
    const sent: Sent[] = [];
    const edge = edgeWith(40, sent);
    const answers = Array.from({ length: 10 }, (_, n) => edge.send(create, { n }, caller));
    await jest.advanceTimersByTimeAsync(500);
    await Promise.all(answers);
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(jest.getTimerCount()).toBe(0);
    const at = Date.now();
    const later = edge.send(create, { n: 99 }, caller);
    await jest.advanceTimersByTimeAsync(ROUND_TRIP_MS);
    await expect(later).resolves.toEqual({ id: 'a-99', created: true });
    expect(sent[sent.length - 1]).toEqual({ at, command: 'request-assignment', items: 1 });
  });
});
