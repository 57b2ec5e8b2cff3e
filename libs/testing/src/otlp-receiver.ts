import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** One span as the test sees it, flattened from OTLP/JSON. */
export interface ReceivedSpan {
  service: string;
  instance?: string;
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's numbers: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, string | number | boolean | string[]>;
  /** 2: error. */
  statusCode: number;
  /** When the span started and ended, ms since the epoch (fractional). */
  startMs?: number;
  endMs?: number;
}

export interface RunningOtlpReceiver {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT (spans arrive on `/v1/traces`). */
  url: string;
  spans(): ReceivedSpan[];
  /** Requests that were not OTLP/JSON trace exports (content type, path or body). */
  rejected(): string[];
  stop(): Promise<void>;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };

function plain(value: AnyValue): string | number | boolean | string[] {
  if (value.arrayValue) return (value.arrayValue.values ?? []).map((item) => String(plain(item)));
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return Boolean(value.boolValue);
}

function attributesOf(list: KeyValue[] | undefined): Record<string, string | number | boolean | string[]> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, plain(kv.value)]));
}

/** OTLP/JSON's nanoseconds (a string or a number) as ms since the epoch. */
function epochMs(nanos: unknown): number | undefined {
  const text = typeof nanos === 'number' ? String(Math.round(nanos)) : nanos;
  if (typeof text !== 'string' || !/^\d+$/.test(text)) return undefined;
  const whole = BigInt(text);
  return Number(whole / 1000n) / 1000;
}

/** The spans of one OTLP/JSON `ExportTraceServiceRequest`. */
export function spansOfExport(body: unknown): ReceivedSpan[] {
  const request = body as {
    resourceSpans?: Array<{
      resource?: { attributes?: KeyValue[] };
      scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
    }>;
  };
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        spans.push({
          service: String(resource['service.name'] ?? ''),
          ...(resource['service.instance.id'] ? { instance: String(resource['service.instance.id']) } : {}),
          traceId: String(span.traceId ?? ''),
          spanId: String(span.spanId ?? ''),
          parentSpanId: String(span.parentSpanId ?? ''),
          name: String(span.name ?? ''),
          kind: Number(span.kind ?? 0),
          attributes: attributesOf(span.attributes as KeyValue[] | undefined),
          statusCode: Number((span.status as { code?: number } | undefined)?.code ?? 0),
          startMs: epochMs(span.startTimeUnixNano),
          endMs: epochMs(span.endTimeUnixNano),
        });
      }
    }
  }
  return spans;
}

/**
 * A local OTLP/HTTP receiver for traces in the JSON encoding (what a collector listens for on
 * 4318), on a free loopback port: it keeps every span it is sent, answers 200 with an empty
 * partial-success, and 400 to anything else.
 */
export async function startOtlpReceiver(): Promise<RunningOtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const rejected: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        if (req.method !== 'POST' || req.url !== '/v1/traces') throw new Error(`${req.method} ${req.url}`);
        if (!String(req.headers['content-type']).startsWith('application/json'))
          throw new Error(`content type ${req.headers['content-type']}`);
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        spans.push(...spansOfExport(JSON.parse(body.toString('utf8'))));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (error) {
        rejected.push(String(error));
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => [...spans],
    rejected: () => [...rejected],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
