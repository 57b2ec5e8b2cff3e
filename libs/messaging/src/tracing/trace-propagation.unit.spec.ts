import { SpanStatusCode, trace } from '@opentelemetry/api';
import { recordSpans } from '../testing/test-tracing';
import { headers as natsHeaders } from 'nats';
import {
  contextFromFields,
  engineTracer,
  extractTraceHeaders,
  injectTraceHeaders,
  inSpan,
  SpanKind,
  traceFields,
} from './trace-propagation';

describe('trace propagation over NATS headers and event metadata', () => {
  const exporter = recordSpans();

  afterEach(() => exporter.reset());

  it('carries the active span as a W3C traceparent header, and the receiver continues it', async () => {
    const headers = natsHeaders();
    const sent = await inSpan('send x', { kind: SpanKind.CLIENT }, async (span) => {
      injectTraceHeaders(headers);
      return span.spanContext();
    });
    expect(headers.get('traceparent')).toBe(`00-${sent.traceId}-${sent.spanId}-01`);
    const received = await inSpan(
      'process x',
      { kind: SpanKind.SERVER, parent: extractTraceHeaders(headers) },
      async (span) => span.spanContext(),
    );
    expect(received.traceId).toBe(sent.traceId);
    const [, server] = exporter.getFinishedSpans();
    expect(server.parentSpanContext?.spanId).toBe(sent.spanId);
  });

  it('adds nothing without an active span, and a message without headers starts no trace of its own', () => {
    const headers = natsHeaders();
    injectTraceHeaders(headers);
    expect([...headers.keys()]).toEqual([]);
    expect(trace.getSpanContext(extractTraceHeaders(undefined))).toBeUndefined();
  });

  it('stores the trace context in a record (event metadata) and reads it back; garbage reads as none', async () => {
    const fields = await inSpan('append', { kind: SpanKind.CLIENT }, async () => traceFields());
    expect(Object.keys(fields)).toEqual(['traceparent']);
    const restored = trace.getSpanContext(contextFromFields({ correlationId: 'c', ...fields })!);
    expect(`00-${restored?.traceId}-${restored?.spanId}-01`).toBe(fields.traceparent);
    expect(contextFromFields({})).toBeUndefined();
    expect(contextFromFields({ traceparent: '00-not-a-trace-01' })).toBeUndefined();
    expect(contextFromFields({ traceparent: 42 })).toBeUndefined();
    expect(traceFields()).toEqual({});
  });

  it('ends a failed span as an error and rethrows the error unchanged', async () => {
    const error = Object.assign(new Error('NATS unavailable'), { code: 'NatsUnavailable' });
    await expect(inSpan('send y', { kind: SpanKind.CLIENT }, async () => Promise.reject(error))).rejects.toBe(
      error,
    );
    const [span] = exporter.getFinishedSpans();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'NATS unavailable' });
    expect(span.attributes['error.type']).toBe('NatsUnavailable');
  });

  it('makes the span active while the work runs, nested spans being its children', async () => {
    await inSpan('outer', { kind: SpanKind.INTERNAL }, async (outer) => {
      expect(trace.getActiveSpan()).toBe(outer);
      const inner = engineTracer().startSpan('inner');
      inner.end();
    });
    const [inner, outer] = exporter.getFinishedSpans();
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
  });
});
