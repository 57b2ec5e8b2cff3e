import { ChildProcess, spawn, type SpawnOptions } from 'node:child_process';

const running = new Set<ChildProcess>();
let hooked = false;
let exitOnSignals = true;

/**
 * For programs that shut down gracefully on SIGINT/SIGTERM themselves (`npm start`): the hooks
 * below then leave those signals alone instead of SIGKILLing every server and exiting at once.
 * Processes still running when the program exits are killed all the same.
 */
export function leaveSignalsToCaller(): void {
  exitOnSignals = false;
}

/**
 * Remembers a server process so that it is killed even when the test run dies before its
 * teardown (an uncaught error, Ctrl-C): nothing is left running after the tests.
 */
export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!hooked) {
    hooked = true;
    const killAll = () => {
      for (const c of running) {
        try {
          if (c.pid) process.kill(-c.pid, 'SIGKILL');
        } catch {
          c.kill('SIGKILL');
        }
      }
    };
    process.once('exit', killAll);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        if (!exitOnSignals) return;
        killAll();
        process.exit(130);
      });
    }
  }
  return child;
}

/** Sends a signal and waits for the process to exit; escalates to SIGKILL after the grace period. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts a test server as a tracked process group and resolves once `ready` does. A server
 * that exits first fails the start with the end of its stderr (why it would not run); one that
 * is not ready in time is killed, so that a failed start leaves nothing running.
 */
export async function startServerProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: Omit<SpawnOptions, 'stdio' | 'detached'>,
  ready: () => Promise<unknown>,
): Promise<ChildProcess> {
  const child = track(
    spawn(command, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'], detached: true }),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  try {
    await Promise.race([
      ready(),
      new Promise((_, reject) =>
        child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr}`))),
      ),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
}
