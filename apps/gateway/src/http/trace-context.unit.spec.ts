import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { recordSpans } from '../../../../libs/messaging/src/testing/test-tracing';
import { keepTraceContext, resumeTraceContext } from './trace-context';

const response = {} as ServerResponse;

/** Where the body parsers resume the chain: a socket callback, outside the request's context. */
const fromSocket = (run: () => void) => context.with(ROOT_CONTEXT, () => setImmediate(run));

describe('the request trace context across the body parsers', () => {
  recordSpans();

  it('runs the rest of the chain in the request span when it records', async () => {
    const span = trace.getTracer('test').startSpan('POST');
    const request = {} as IncomingMessage;
    context.with(trace.setSpan(ROOT_CONTEXT, span), () =>
      keepTraceContext(request, response, () => undefined),
    );
    const active = await new Promise((resolve) =>
      fromSocket(() => resumeTraceContext(request, response, () => resolve(trace.getActiveSpan()))),
    );
    expect(active).toBe(span);
    span.end();
  });

  it('keeps nothing for a span that does not record', async () => {
    const request = {} as IncomingMessage;
    const silent = trace.wrapSpanContext(trace.getTracer('test').startSpan('x').spanContext());
    context.with(trace.setSpan(ROOT_CONTEXT, silent), () =>
      keepTraceContext(request, response, () => undefined),
    );
    expect(Object.getOwnPropertySymbols(request)).toHaveLength(0);
    const active = await new Promise((resolve) =>
      fromSocket(() => resumeTraceContext(request, response, () => resolve(trace.getActiveSpan()))),
    );
    expect(active).toBeUndefined();
  });
});
