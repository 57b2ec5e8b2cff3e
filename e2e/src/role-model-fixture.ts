import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SAMPLE = resolve(__dirname, '../../deploy/role-model/sample.yaml');

/**
 * A copy of the sample role model with short periods, so timers fire within a test: retries a
 * second apart, badges that must be confirmed within two seconds. Returns the file's path; the
 * test may rewrite it to change the model while the system runs.
 */
export function writeFastRoleModel(edit: (yaml: string) => string = (yaml) => yaml): string {
  let yaml = readFileSync(SAMPLE, 'utf8');
  yaml = yaml.replace(
    'retryPolicy: { maxAttempts: 3, backoff: exponential, initialDelay: PT1M, maxDelay: PT30M }',
    'retryPolicy: { maxAttempts: 3, backoff: fixed, initialDelay: PT1S, maxDelay: PT1S }',
  );
  yaml = yaml.replace('transmittedValidityPeriod: P15D', 'transmittedValidityPeriod: PT2S');
  yaml = yaml.replace('transmittedValidityPeriod: PT24H', 'transmittedValidityPeriod: PT1H');
  const file = join(mkdtempSync(join(tmpdir(), 'prov-role-model-')), 'role-model.yaml');
  writeFileSync(file, edit(yaml));
  return file;
}

export function rewriteRoleModel(file: string, edit: (yaml: string) => string): void {
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}
