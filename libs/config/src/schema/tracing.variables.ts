import type { VariableSpec } from './variable';

/**
 * OpenTelemetry tracing (ADR 0023). The names are OpenTelemetry's own, so an operator who knows
 * them needs nothing new; only the ones the engine reads are listed, and it passes their values
 * to the SDK explicitly.
 */
export const TRACING_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    type: 'url',
    schemes: ['http', 'https'],
    services: 'all',
    doc: 'OTLP/HTTP collector (spans go to `<url>/v1/traces`, JSON encoding); unset: no tracing at all, the SDK is not even loaded',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_HEADERS',
    type: 'string',
    pattern: /^\s*[^=,\s]+\s*=[^,]*(,\s*[^=,\s]+\s*=[^,]*)*$/,
    rule: '`key=value,…`',
    secret: true,
    services: 'all',
    doc: "headers sent with every export (a collector's API key)",
  },
  {
    name: 'OTEL_SERVICE_NAME',
    type: 'string',
    pattern: /^[A-Za-z0-9._-]{1,100}$/,
    rule: 'letters, digits, `.`, `_`, `-` (at most 100)',
    services: 'all',
    default: 'prov-<service>',
    doc: 'the `service.name` of the spans; each copy adds its bus identity as `service.instance.id`',
  },
  {
    name: 'OTEL_TRACES_SAMPLER_ARG',
    type: 'string',
    pattern: /^(0(\.\d+)?|1(\.0+)?)$/,
    rule: 'a ratio from 0 to 1',
    services: 'all',
    default: '1',
    doc: "share of new traces recorded (a trace started elsewhere follows its parent's decision)",
  },
  {
    name: 'OTEL_BSP_SCHEDULE_DELAY',
    type: 'integer',
    min: 10,
    max: 600_000,
    unit: 'milliseconds',
    services: 'all',
    default: '5000',
    doc: 'how long finished spans are batched before they are exported',
  },
];
