import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Context, context, trace } from '@opentelemetry/api';

const TRACED = Symbol('prov.gateway.traceContext');

type Traced = IncomingMessage & { [TRACED]?: Context };

/**
 * Right after the tracing middleware, which made the request's span the active context: keeps
 * that context on the request for {@link resumeTraceContext}, when the span records at all.
 */
export function keepTraceContext(req: Traced, _res: ServerResponse, next: () => void): void {
  const active = context.active();
  if (trace.getSpan(active)?.isRecording()) req[TRACED] = active;
  next();
}

/**
 * After the body parsers, which resume the middleware chain from socket callbacks that lost the
 * context: the rest (guards, pipes, the handler and the commands it sends) runs in the request's
 * trace again. A middleware rather than a global Nest interceptor, because any global interceptor
 * makes Nest wrap every handler call in `AsyncResource.bind` (which calls Node's `deprecate()`
 * twice) and an rxjs pipeline, traced or not (ADR 0053).
 */
export function resumeTraceContext(req: Traced, _res: ServerResponse, next: () => void): void {
  const traced = req[TRACED];
  if (traced) context.with(traced, next);
  else next();
}
