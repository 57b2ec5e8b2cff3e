import { diag, DiagLogLevel } from '@opentelemetry/api';
import {
  jsonLogLine,
  processEnvironment,
  readTracingSettings,
  redactCredentials,
  type TracingSettings,
} from '@prov/config';

export interface RunningTracing {
  settings: TracingSettings;
  /** Exports what is still batched and stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set (ADR 0023):
 * spans batched and exported as OTLP/HTTP JSON, W3C trace context, parent-based ratio sampling.
 * Unset, nothing is loaded and the API stays a no-op, so tracing off costs nothing.
 *
 * The SDK is configured explicitly from the schema's settings (no resource detectors, no
 * metrics or logs pipelines, no auto-instrumentation): spans are made where the engine crosses a
 * boundary (HTTP, NATS, JetStream, event store, connector), not by patching libraries.
 */
export async function startTracing(
  service: string,
  env: NodeJS.ProcessEnv = processEnvironment(),
): Promise<RunningTracing | undefined> {
  const settings = readTracingSettings(service, env);
  if (!settings.endpoint) return undefined;
  const [
    { NodeSDK },
    { OTLPTraceExporter },
    sdkTrace,
    { resourceFromAttributes },
    { W3CTraceContextPropagator },
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
  ]);
  // Export failures (collector down) are worth a line; the SDK's chatter below errors is not.
  diag.setLogger(
    {
      error: (message: string) =>
        process.stderr.write(`${jsonLogLine('warn', 'Tracing', { msg: redactCredentials(message) })}\n`),
      warn: () => undefined,
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.ERROR, suppressOverrideMessage: true },
  );
  const exporter = new OTLPTraceExporter({
    url: `${settings.endpoint}/v1/traces`,
    headers: settings.headers,
  });
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      'service.name': settings.serviceName,
      'service.namespace': 'provisioning-engine',
      'service.instance.id': settings.instanceId,
    }),
    autoDetectResources: false,
    textMapPropagator: new W3CTraceContextPropagator(),
    sampler: new sdkTrace.ParentBasedSampler({
      root: new sdkTrace.TraceIdRatioBasedSampler(settings.samplerRatio),
    }),
    spanProcessors: [
      new sdkTrace.BatchSpanProcessor({ exporter, scheduledDelayMillis: settings.scheduleDelayMs }),
    ],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  const shutdown = () => sdk.shutdown().catch(() => undefined);
  // What is still batched leaves while the service drains.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown());
  return { settings, shutdown };
}
