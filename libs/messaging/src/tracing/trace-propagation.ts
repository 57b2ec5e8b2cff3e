import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import type { MsgHdrs } from 'nats';

/**
 * W3C trace context across the bus (ADR 0023). Everything here goes through the OpenTelemetry
 * API: with tracing off (no SDK registered) the propagator and the tracer are no-ops, so headers
 * stay as they were and no span is made.
 */
export const TRACER_NAME = 'provisioning-engine';

export function engineTracer() {
  return trace.getTracer(TRACER_NAME);
}

/** NATS message headers as a carrier: `traceparent` and `tracestate` travel as headers of those names. */
export const natsHeadersSetter: TextMapSetter<MsgHdrs> = {
  set: (headers, key, value) => headers.set(key, value),
};

export const natsHeadersGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (headers) => (headers ? [...headers.keys()] : []),
  get: (headers, key) => (headers?.has(key) ? headers.get(key) : undefined),
};

/** A plain record (an event's metadata) as a carrier. */
export const recordSetter: TextMapSetter<Record<string, unknown>> = {
  set: (record, key, value) => {
    record[key] = value;
  },
};

export const recordGetter: TextMapGetter<Record<string, unknown> | undefined> = {
  keys: (record) => (record ? Object.keys(record) : []),
  get: (record, key) => (typeof record?.[key] === 'string' ? (record[key] as string) : undefined),
};

/** Writes the trace context of `ctx` (default: the active one) into NATS headers. */
export function injectTraceHeaders(headers: MsgHdrs, ctx: Context = context.active()): MsgHdrs {
  propagation.inject(ctx, headers, natsHeadersSetter);
  return headers;
}

/** The context a message's headers carry (the root context when they carry none). */
export function extractTraceHeaders(headers: MsgHdrs | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers, natsHeadersGetter);
}

/** The trace context of `ctx` as record fields (`{ traceparent, tracestate? }`), empty when there is none. */
export function traceFields(ctx: Context = context.active()): Record<string, string> {
  const fields: Record<string, unknown> = {};
  propagation.inject(ctx, fields, recordSetter);
  return fields as Record<string, string>;
}

/** Links to the spans whose contexts `records` hold (see {@link traceFields}); none for a record without one. */
export function linksFromFields(records: readonly object[]): Link[] {
  return records.flatMap((record) => {
    const span = trace.getSpanContext(contextFromFields(record as Record<string, unknown>) ?? ROOT_CONTEXT);
    return span ? [{ context: span }] : [];
  });
}

/** The context stored in a record by {@link traceFields}; undefined when it holds no valid one. */
export function contextFromFields(record: Record<string, unknown> | undefined): Context | undefined {
  const ctx = propagation.extract(ROOT_CONTEXT, record, recordGetter);
  const span = trace.getSpanContext(ctx);
  return span && trace.isSpanContextValid(span) ? ctx : undefined;
}

export interface SpanOptions {
  kind: SpanKind;
  attributes?: Attributes;
  /** The parent; default the active context. */
  parent?: Context;
  /** Spans this one is about without being their child (the items of a batch). */
  links?: Link[];
}

/**
 * Runs `work` in a new span (active while it runs, so what it sends or appends carries it) and
 * ends the span with the outcome: an error sets the status and is rethrown unchanged.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = engineTracer().startSpan(
    name,
    { kind: options.kind, attributes: options.attributes, links: options.links },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span failed with the error's name and message (messages are redacted upstream). */
export function failSpan(span: Span, error: unknown, message?: string): void {
  const name = error instanceof Error ? error.name : 'Error';
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: message ?? (error instanceof Error ? error.message : String(error)),
  });
  span.setAttribute(
    'error.type',
    (error as { code?: unknown })?.code !== undefined ? String((error as { code: unknown }).code) : name,
  );
}

export { SpanKind };
