import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { stopProcess, track } from './child-processes';
import { ensureDebianPackage } from './debian-packages';
import { freePort } from './free-port';
import { waitFor } from './system/api-client';

export interface RunningPrometheus {
  url: string;
  /** An instant query through the HTTP API: the result vector. */
  query(expression: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

/**
 * Debian's `prometheus` on a loopback port, scraping `targets` (job name -> `host:port`) every
 * second, with its data in a temporary directory.
 */
export async function startPrometheus(targets: Record<string, string>): Promise<RunningPrometheus> {
  ensureDebianPackage('prometheus', 'prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'prov-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    stringify({
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      scrape_configs: Object.entries(targets).map(([job, target]) => ({
        job_name: job,
        static_configs: [{ targets: [target] }],
      })),
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = track(
    spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    ),
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const stop = async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(() => fetch(`${url}/-/ready`).then((r) => r.status), {
      until: (s) => s === 200,
      timeoutMs: 30_000,
      description: `prometheus to be ready (${log})`,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async query(expression) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: [] } };
      if (body.status !== 'success') throw new Error(`prometheus query ${expression}: ${body.error}`);
      return body.data!.result;
    },
    stop,
  };
}
