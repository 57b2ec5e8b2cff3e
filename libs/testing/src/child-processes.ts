import { ChildProcess } from 'node:child_process';

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
