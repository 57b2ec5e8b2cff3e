import { RepeatingTask } from './repeating-task';

/** Polls until the condition holds (bounded), never a fixed sleep. */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('RepeatingTask', () => {
  it('runs again after each run, goes on after a failure, and reports the failure', async () => {
    let runs = 0;
    const errors: unknown[] = [];
    const task = new RepeatingTask(
      async () => {
        runs++;
        if (runs === 2) throw new Error('second run fails');
      },
      1,
      (error) => errors.push(error),
    );
    task.start({ immediately: true });
    await until(() => runs >= 4);
    await task.stop();
    expect(errors).toEqual([new Error('second run fails')]);
  });

  it('never runs two at once, and stop() waits for the run in progress and prevents the next', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const task = new RepeatingTask(
      async () => {
        runs++;
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((resolve) => (release = resolve));
        active--;
      },
      1,
      () => undefined,
    );
    task.start({ immediately: true });
    await until(() => runs === 1);
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    expect(task.stopped).toBe(true);
    release();
    await stopping;
    expect(maxActive).toBe(1);
    expect(runs).toBe(1);
  });

  it('without `immediately`, waits one interval before the first run', async () => {
    let runs = 0;
    const task = new RepeatingTask(
      async () => void runs++,
      60_000,
      () => undefined,
    );
    task.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(0);
    await task.stop();
    expect(runs).toBe(0);
  });
});
