/**
 * The system bench:e2e measures: its own PostgreSQL cluster, slapd for the LDAP target, an OTLP
 * receiver when traces are asked for, and every service a process, with the settings that make
 * it measure throughput rather than its limits (tools/bench/e2e.bench.ts).
 */
import { resolve } from 'node:path';
import {
  freePort,
  type RunningOtlpReceiver,
  type RunningSlapd,
  type RunningSystem,
  startOtlpReceiver,
  startPostgresCluster,
  startSlapd,
  startSystem,
} from '@prov/testing';
import { STATEMENT_COUNTING } from './pg-statements';

export interface BenchSystemOptions {
  target: string;
  /** Where each service writes its CPU profile (BENCH_CPU_PROFILE_DIR). */
  profileDir: string | undefined;
  /** The share of traces exported to a receiver here; 0 none. */
  traceRatio: number;
  /** The LDAP target's base DN (the sample role model's). */
  baseDn: string;
  /** Count the engine's PostgreSQL statements (tools/bench/pg-statements.ts). */
  countStatements: boolean;
}

export interface BenchSystem {
  system: RunningSystem;
  traces: RunningOtlpReceiver | undefined;
  /** The gateway's metrics, which say how many commands carried its single requests. */
  gatewayMetrics: string;
  /** Stops the services, then the servers. */
  stop(): Promise<void>;
}

export async function startBenchSystem(options: BenchSystemOptions): Promise<BenchSystem> {
  const { target, profileDir, traceRatio } = options;
  const postgres = await startPostgresCluster(
    options.countStatements ? { settings: STATEMENT_COUNTING } : {},
  );
  process.env.PROV_TEST_POSTGRES_URL = postgres.url;
  let slapd: RunningSlapd | undefined;
  if (target === 'ldap') slapd = await startSlapd({ baseDn: options.baseDn });
  const gatewayOpsPort = await freePort();
  let traces: RunningOtlpReceiver | undefined;
  if (traceRatio > 0) traces = await startOtlpReceiver();
  const system = await startSystem({
    logLevel: process.env.LOG_LEVEL ?? 'warn',
    // Six services starting on a busy 2-core machine can take longer than a test's minute.
    startTimeoutMs: 300_000,
    // Measure throughput, not the rate limit.
    env: {
      TIMER_INTERVAL_MS: '5000',
      RATE_LIMIT_WRITES: '10000000',
      // A saturated machine answers commands late rather than not at all: measure, do not time out.
      COMMAND_TIMEOUT_MS: '60000',
      ...(traces
        ? {
            OTEL_EXPORTER_OTLP_ENDPOINT: traces.url,
            OTEL_TRACES_SAMPLER_ARG: String(traceRatio),
            OTEL_BSP_SCHEDULE_DELAY: '1000',
          }
        : {}),
      ...(profileDir
        ? {
            NODE_OPTIONS: `--require ${resolve(__dirname, 'cpu-profile.cjs')}`,
            BENCH_CPU_PROFILE_DIR: profileDir,
          }
        : {}),
    },
    serviceEnv: {
      // Its metrics say how many commands carried the single requests (edge-commands.ts).
      gateway: { HEALTH_PORT: String(gatewayOpsPort) },
      ...(slapd ? { agent: { CORP_LDAP_URL: slapd.url, CORP_LDAP_PASSWORD: slapd.servicePassword } } : {}),
    },
  });
  return {
    system,
    traces,
    gatewayMetrics: `http://127.0.0.1:${gatewayOpsPort}/metrics`,
    async stop() {
      await system.stop();
      await slapd?.stop();
      await traces?.stop();
      await postgres.stop();
    },
  };
}
