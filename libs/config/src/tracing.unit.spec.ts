import { ConfigurationError } from './environment';
import { readTracingSettings } from './tracing';

describe('tracing settings', () => {
  it('are off unless a collector is named, with the service as its name', () => {
    expect(readTracingSettings('orders', {})).toEqual({
      headers: {},
      serviceName: 'prov-orders',
      instanceId: 'orders',
      samplerRatio: 1,
      scheduleDelayMs: 5000,
    });
  });

  it('read the collector, its headers, the copy and the sampling ratio', () => {
    const settings = readTracingSettings('agent', {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc=def, tenant = ops',
      BUS_IDENTITY: 'agent-emea',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(settings).toMatchObject({
      endpoint: 'https://collector.example:4318',
      headers: { 'x-api-key': 'abc=def', tenant: 'ops' },
      serviceName: 'prov-agent',
      instanceId: 'agent-emea',
      samplerRatio: 0.25,
    });
  });

  it('name every wrong variable and never echo the headers (a secret)', () => {
    let problems: string[] = [];
    try {
      readTracingSettings('gateway', {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://c:4317',
        OTEL_TRACES_SAMPLER_ARG: '2',
        OTEL_EXPORTER_OTLP_HEADERS: 'secret-token',
        OTEL_BSP_SCHEDULE_DELAY: '0',
      });
    } catch (error) {
      problems = (error as ConfigurationError).problems;
    }
    expect(problems).toEqual([
      "OTEL_EXPORTER_OTLP_ENDPOINT must be a URL with scheme http:// or https://, got 'grpc://c:4317'",
      'OTEL_EXPORTER_OTLP_HEADERS must be `key=value,…`',
      "OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1, got '2'",
      "OTEL_BSP_SCHEDULE_DELAY must be an integer from 10 to 600000 (milliseconds), got '0'",
    ]);
  });
});
