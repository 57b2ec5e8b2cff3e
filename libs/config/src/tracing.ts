import { assertNoProblems, integerVariable, textVariable } from './schema/schema';

/** Where and how spans are exported; `endpoint` undefined: tracing is off (ADR 0023). */
export interface TracingSettings {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL. */
  endpoint?: string;
  /** OTEL_EXPORTER_OTLP_HEADERS, parsed; values are secrets. */
  headers: Record<string, string>;
  serviceName: string;
  /** The copy: its bus identity (`agent-emea`), else the service name. */
  instanceId: string;
  /** Share of new traces recorded, 0 to 1. */
  samplerRatio: number;
  scheduleDelayMs: number;
}

export function readTracingSettings(service: string, env: NodeJS.ProcessEnv = process.env): TracingSettings {
  const problems: string[] = [];
  const endpoint = textVariable(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', problems);
  const headers = textVariable(env, 'OTEL_EXPORTER_OTLP_HEADERS', problems);
  const ratio = textVariable(env, 'OTEL_TRACES_SAMPLER_ARG', problems);
  const settings: TracingSettings = {
    ...(endpoint ? { endpoint: endpoint.replace(/\/+$/, '') } : {}),
    headers: Object.fromEntries(
      (headers ?? '')
        .split(',')
        .filter((entry) => entry.includes('='))
        .map((entry) => {
          const at = entry.indexOf('=');
          return [entry.slice(0, at).trim(), entry.slice(at + 1).trim()];
        }),
    ),
    serviceName: textVariable(env, 'OTEL_SERVICE_NAME', problems) ?? `prov-${service}`,
    instanceId: textVariable(env, 'BUS_IDENTITY', problems) ?? service,
    samplerRatio: ratio === undefined ? 1 : Number(ratio),
    scheduleDelayMs: integerVariable(env, 'OTEL_BSP_SCHEDULE_DELAY', problems),
  };
  assertNoProblems(problems);
  return settings;
}
