/**
 * Runs `work(0)` … `work(count - 1)` with `inFlight` of them at a time, each worker taking the next
 * index as it finishes one; `worker` (0 … inFlight - 1) lets a worker keep a connection of its own.
 * Answers the results in the order they finished.
 */
export async function inFlight<T>(
  count: number,
  workers: number,
  work: (index: number, worker: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (next < count) results.push(await work(next++, worker));
    }),
  );
  return results;
}
