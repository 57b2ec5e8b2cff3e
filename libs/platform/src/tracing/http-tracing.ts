import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import {
  type Context,
  context,
  defaultTextMapGetter,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { engineTracer, SpanKind } from '@prov/messaging';
import { Observable } from 'rxjs';

const TRACE_CONTEXT = Symbol('prov.traceContext');

type Request = IncomingMessage & { route?: { path?: string }; baseUrl?: string; [TRACE_CONTEXT]?: Context };

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
  req[TRACE_CONTEXT] = traced;
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

/**
 * Makes the request's span the active context for the route handler. Body parsing resumes the
 * middleware chain from socket callbacks, which lose the context the middleware set; the
 * handler runs when this observable is subscribed, so it runs inside the request's trace again.
 */
@Injectable()
export class TraceContextInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const traced =
      execution.getType() === 'http'
        ? execution.switchToHttp().getRequest<Request>()?.[TRACE_CONTEXT]
        : undefined;
    if (!traced) return next.handle();
    return new Observable((subscriber) => context.with(traced, () => next.handle().subscribe(subscriber)));
  }
}
