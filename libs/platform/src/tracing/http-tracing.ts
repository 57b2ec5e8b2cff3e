import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  defaultTextMapGetter,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { engineTracer, SpanKind } from '@prov/messaging';

type Request = IncomingMessage & { route?: { path?: string }; baseUrl?: string };

/** The route pattern of a request once routed (`/api/assignments/:id`), never the path with its ids. */
export function routeOf(req: Pick<Request, 'route' | 'baseUrl'>): string | undefined {
  return req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : undefined;
}

/**
 * Express middleware (the first one) giving every request a server span, continuing the caller's
 * trace when it sends a `traceparent`. The span is named by method and route pattern and ends
 * with the response; the path itself (ids, logins) and the query stay out of it.
 */
export function httpTracingMiddleware(req: Request, res: ServerResponse, next: () => void): void {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
  const method = req.method ?? 'GET';
  const span = engineTracer().startSpan(
    method,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } },
    parent,
  );
  if (!span.isRecording()) return next();
  const traced = trace.setSpan(parent, span);
  const end = () => {
    const route = routeOf(req);
    if (route) {
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  res.once('finish', end);
  res.once('close', () => span.isRecording() && end());
  context.with(traced, next);
}
