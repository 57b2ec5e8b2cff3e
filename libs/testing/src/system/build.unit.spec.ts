import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { buildMarkerPaths, buildOncePerRun, removeBuildMarkers, repositoryRoot } from './build';

describe('building the services once per test run', () => {
  let runId: string;
  beforeEach(() => (runId = `unit-${randomUUID()}`));
  afterEach(() => removeBuildMarkers(runId));

  it('finds the workspace root', () => {
    const root = repositoryRoot();
    expect(existsSync(join(root, 'tsconfig.build.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name).toBe('provisioning-engine');
  });

  it('builds once however many callers ask at the same time', async () => {
    let builds = 0;
    const build = async () => {
      builds++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    };
    await Promise.all([
      buildOncePerRun(runId, build),
      buildOncePerRun(runId, build),
      buildOncePerRun(runId, build),
    ]);
    await buildOncePerRun(runId, build);
    expect(builds).toBe(1);
    expect(existsSync(buildMarkerPaths(runId).lock)).toBe(false);
  });

  it('fails every caller with the build output, without building again', async () => {
    let builds = 0;
    const build = async () => {
      builds++;
      throw new Error("src/a.ts(1,7): error TS2322: Type 'string' is not assignable to type 'number'.");
    };
    const results = await Promise.allSettled([buildOncePerRun(runId, build), buildOncePerRun(runId, build)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    for (const r of results) expect(String((r as PromiseRejectedResult).reason)).toMatch(/error TS2322/);
    await expect(buildOncePerRun(runId, build)).rejects.toThrow(/TS2322/);
    expect(builds).toBe(1);
  });

  it('takes over the lock of a builder that died', async () => {
    writeFileSync(buildMarkerPaths(runId).lock, '2147483646'); // a pid nobody has
    let builds = 0;
    await buildOncePerRun(runId, async () => void builds++);
    expect(builds).toBe(1);
  });
});
