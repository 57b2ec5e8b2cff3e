import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The workspace root (where package.json and tsconfig.build.json are), found by walking up from
 * this file, so the harness works from the sources (Jest, ts-node) as well as compiled.
 */
export function repositoryRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.build.json'))) return dir;
    if (dirname(dir) === dir)
      throw new Error(`no workspace root (package.json + tsconfig.build.json) above ${from}`);
  }
}

export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

/** Runs one build step with Node (the workspace's own tools); rejects with its whole output. */
function runStep(root: string, script: string, args: string[], label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(new BuildError(`could not run ${label}: ${error.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else {
        const status = signal ? `was killed by ${signal}` : `exited with ${code}`;
        reject(new BuildError(`the build failed: '${label}' ${status}\n${output.trim()}`));
      }
    });
  });
}

/** The web console's build config (Vite), relative to the workspace root. */
export const WEB_CONSOLE_CONFIG = 'apps/web/vite.config.mjs';

/**
 * Compiles the services into dist/ (`tsc -p tsconfig.build.json`, the workspace's own compiler).
 * Rejects with tsc's whole output: a test that runs stale code after a failed build would report
 * confusing failures far from the real cause.
 */
export function runServicesBuild(root: string = repositoryRoot()): Promise<void> {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  return runStep(root, tsc, ['-p', 'tsconfig.build.json'], 'tsc -p tsconfig.build.json');
}

/** Builds the web console into dist/web (`vite build`), which the gateway serves at `/`. */
export function runWebBuild(root: string = repositoryRoot()): Promise<void> {
  const vite = join(dirname(require.resolve('vite/package.json', { paths: [root] })), 'bin', 'vite.js');
  return runStep(
    root,
    vite,
    ['build', '--config', WEB_CONSOLE_CONFIG, '--logLevel', 'warn'],
    `vite build --config ${WEB_CONSOLE_CONFIG}`,
  );
}

/** The whole build: the services, then the web console (what `npm run build` does). */
export async function runBuild(root: string = repositoryRoot()): Promise<void> {
  await runServicesBuild(root);
  await runWebBuild(root);
}

/** Files in the temporary directory through which Jest workers of one run share one build. */
export function buildMarkerPaths(runId: string): { lock: string; result: string } {
  const base = join(tmpdir(), `prov-build-${runId.replace(/[^A-Za-z0-9_-]/g, '_')}`);
  return { lock: `${base}.lock`, result: `${base}.result.json` };
}

/** Removes a run's build markers (the Jest global teardown calls it). */
export function removeBuildMarkers(runId: string): void {
  const { lock, result } = buildMarkerPaths(runId);
  rmSync(lock, { force: true });
  rmSync(result, { force: true });
}

interface BuildResult {
  ok: boolean;
  message?: string;
}

let inThisProcess: Promise<void> | undefined;

/**
 * Builds the services and the web console once per Jest run, however many workers ask at the same time: the Jest
 * global setup sets PROV_TEST_RUN_ID; the first worker takes a lock file keyed by it and builds,
 * the others wait for the result file it writes (a failed build fails them all with tsc's
 * output, without building again). Outside Jest it builds once per process.
 * PROV_TEST_BUILD=skip uses dist/ as it is (quick reruns when nothing changed).
 */
export function buildServices(): Promise<void> {
  if (process.env.PROV_TEST_BUILD === 'skip') return Promise.resolve();
  const runId = process.env.PROV_TEST_RUN_ID;
  inThisProcess ??= runId ? buildOncePerRun(runId) : runBuild();
  return inThisProcess;
}

const WAIT_FOR_OTHER_BUILD_MS = 10 * 60_000;

/** The cross-process part of buildServices(), with the build passed in (tests pass a fake one). */
export async function buildOncePerRun(
  runId: string,
  build: () => Promise<void> = () => runBuild(),
): Promise<void> {
  const { lock, result } = buildMarkerPaths(runId);
  const deadline = Date.now() + WAIT_FOR_OTHER_BUILD_MS;
  for (;;) {
    const done = readResult(result);
    if (done) {
      if (done.ok) return;
      throw new BuildError(done.message ?? 'the build failed (another Jest worker ran it)');
    }
    if (takeLock(lock)) {
      let outcome: BuildResult;
      try {
        await build();
        outcome = { ok: true };
      } catch (error) {
        outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
      // Written to a temporary name and renamed, so that nobody reads half a file.
      writeFileSync(`${result}.${process.pid}`, JSON.stringify(outcome));
      renameSync(`${result}.${process.pid}`, result);
      rmSync(lock, { force: true });
      if (!outcome.ok) throw new BuildError(outcome.message!);
      return;
    }
    // A worker that died while building leaves its lock behind: take over instead of waiting.
    if (lockHolderIsGone(lock)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new BuildError(`gave up waiting for another worker's build (lock ${lock})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function readResult(path: string): BuildResult | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BuildResult;
  } catch {
    return undefined;
  }
}

function takeLock(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function lockHolderIsGone(path: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path, 'utf8'));
  } catch {
    return false; // removed meanwhile: the next round reads the result
  }
  if (!Number.isInteger(pid) || pid <= 0) return false; // created, pid not written yet
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
