import type { Pool } from 'pg';
import { RecordingSlots } from './recording-slots';

const FAR = () => Date.now() + 60_000;

describe('recording slots: at most a few synchronization recordings at once per process', () => {
  afterEach(() => jest.useRealTimers());

  it('lets `size` recordings in and the others in order of arrival as slots come free', async () => {
    const slots = new RecordingSlots(2);
    const first = await slots.acquire(FAR());
    const second = await slots.acquire(FAR());
    const order: string[] = [];
    const third = slots.acquire(FAR()).then((release) => (order.push('third'), release));
    const fourth = slots.acquire(FAR()).then((release) => (order.push('fourth'), release));
    await Promise.resolve();
    expect(order).toEqual([]);

    first!();
    first!(); // a second release frees nothing more
    await third;
    expect(order).toEqual(['third']);
    second!();
    (await third)!();
    (await fourth)!();
    expect(order).toEqual(['third', 'fourth']);

    // All four released: both slots are free again, and no more.
    expect(await slots.acquire(FAR())).toBeDefined();
    expect(await slots.acquire(FAR())).toBeDefined();
    expect(await slots.acquire(Date.now())).toBeUndefined();
  });

  it('answers undefined when no slot came free by the deadline, and the waiter takes no slot later', async () => {
    jest.useFakeTimers();
    const slots = new RecordingSlots(1);
    const held = await slots.acquire(FAR());
    const late = slots.acquire(Date.now() + 1_000);

    await jest.advanceTimersByTimeAsync(1_000);

    expect(await late).toBeUndefined();
    held!();
    expect(await slots.acquire(Date.now())).toBeDefined();
  });

  it('derives their number from the pool: one per 5 connections, at least one', () => {
    const of = (max?: number) => RecordingSlots.forPool({ options: { max } } as unknown as Pool).size;
    expect([of(10), of(undefined), of(3), of(50)]).toEqual([2, 2, 1, 10]);
  });

  it('refuses a number of slots that is not a positive integer', () => {
    expect(() => new RecordingSlots(0)).toThrow('recording slots must be a positive integer, got 0');
  });
});
