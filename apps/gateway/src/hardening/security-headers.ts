import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** What helmet does to a response: the headers it sets and those it removes (X-Powered-By). */
export interface SecurityHeaders {
  set: [name: string, value: string][];
  removed: string[];
}

/**
 * Runs helmet once, on a response that only records, and returns what it did. With static
 * options (no nonce, no function directive) helmet does the same to every response, so the
 * gateway applies this list instead of running helmet's dozen middlewares per request (ADR 0059).
 * Throws when helmet did not finish synchronously or failed, rather than serve without its headers.
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): SecurityHeaders {
  const policy = options.contentSecurityPolicy;
  const directives = typeof policy === 'object' ? Object.values(policy.directives ?? {}) : [];
  if (
    directives.some(
      (value) =>
        typeof value === 'function' || (Array.isArray(value) && value.some((v) => typeof v === 'function')),
    )
  )
    throw new Error('a Content-Security-Policy directive computed per request cannot be computed once');
  const recorded: SecurityHeaders = { set: [], removed: [] };
  const response = {
    setHeader(name: string, value: unknown) {
      recorded.set.push([name, String(value)]);
      return response;
    },
    removeHeader(name: string) {
      recorded.removed.push(name);
    },
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously: its headers cannot be computed once');
  return recorded;
}

/**
 * Middleware giving every response the headers helmet would have given it (computed once, at
 * start-up), then `also`: defaults a route may still replace, in the same middleware rather than
 * one more per request.
 */
export function securityHeaders(
  options: Readonly<HelmetOptions>,
  also: readonly (readonly [name: string, value: string])[] = [],
) {
  const { set: helmets, removed } = helmetHeaders(options);
  const set = [...helmets, ...also];
  return (_req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}
