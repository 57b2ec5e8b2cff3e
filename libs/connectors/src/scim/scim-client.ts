import { ConnectorError, PermanentConnectorError, TransientConnectorError } from '../errors';

/**
 * The HTTP side of the SCIM connector: one request with Node's global fetch, bearer token,
 * timeout, and the sorting of failures into transient and permanent ConnectorErrors with the
 * service's own `detail` (RFC 7644 §3.12) and never the token.
 */

export const SCIM_CONTENT_TYPE = 'application/scim+json';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface ScimResponse {
  status: number;
  /** The parsed JSON body; undefined for an empty body (204). */
  body: Record<string, unknown> | undefined;
}

export interface ScimListResponse<T> {
  totalResults?: number;
  startIndex?: number;
  itemsPerPage?: number;
  Resources?: T[];
}

// Trying again later can work: the service or something in front of it is overloaded or down.
// 501 and 505 are left out on purpose: "not implemented" stays so until someone changes the target.
export function isTransientStatus(status: number): boolean {
  return (
    status === 408 || status === 425 || status === 429 || (status >= 500 && status !== 501 && status !== 505)
  );
}

// Certificate problems are configuration, not weather: retrying cannot fix a wrong CA or host name.
const TLS_CODES =
  /^(CERT_|UNABLE_TO_(VERIFY|GET)_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_)/;

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Duck-typed: fetch's errors come from Node's realm, where Jest's `instanceof` does not reach. */
function asErrorLike(error: unknown): ErrorLike {
  return error !== null && typeof error === 'object' ? (error as ErrorLike) : { message: String(error) };
}

/** The innermost useful reason of a fetch failure ("fetch failed" itself says nothing). */
function networkReason(error: unknown): { message: string; code?: string } {
  let current = asErrorLike(error);
  for (let depth = 0; depth < 5 && current.cause !== undefined; depth++) current = asErrorLike(current.cause);
  const code = typeof current.code === 'string' ? current.code : undefined;
  let message = typeof current.message === 'string' ? current.message : '';
  // Node reports a refused dual-stack connect as an AggregateError with an empty message.
  if (!message && Array.isArray(current.errors)) {
    message = current.errors.map((e) => String(asErrorLike(e).message ?? e)).join('; ');
  }
  return { message: message || code || 'network error', ...(code ? { code } : {}) };
}

function describeBody(body: Record<string, unknown> | undefined, text: string): string {
  const detail = body?.detail;
  if (typeof detail === 'string' && detail) return detail;
  return text.trim().slice(0, 300) || 'no detail given';
}

export interface ScimRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the base URL, starting with '/'. */
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  /** Statuses the caller handles itself (e.g. 404 on DELETE, 409 on POST); others are errors. */
  accept?: number[];
}

export class ScimClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs: number,
    /** Aborted when the connector is closed, so that no request outlives it. */
    private readonly closing: AbortSignal,
    private readonly scrub: (message: string) => string,
  ) {}

  async send(request: ScimRequest): Promise<ScimResponse> {
    const url = new URL(`${this.baseUrl}${request.path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
    const what = `SCIM ${request.method} ${request.path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: request.method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: `${SCIM_CONTENT_TYPE}, application/json`,
          ...(request.body === undefined ? {} : { 'content-type': SCIM_CONTENT_TYPE }),
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        // A redirect would re-send the bearer token somewhere the configuration does not name.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.closing]),
      });
      text = await response.text();
    } catch (error) {
      throw this.requestFailed(what, error);
    }
    let body: Record<string, unknown> | undefined;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = undefined; // an HTML error page from a proxy: its text becomes the detail below
      }
    }
    const ok =
      (response.status >= 200 && response.status < 300) || (request.accept ?? []).includes(response.status);
    if (ok) return { status: response.status, body };
    throw this.statusError(what, response, body, text);
  }

  private requestFailed(what: string, error: unknown): ConnectorError {
    const name = asErrorLike(error).name;
    if (this.closing.aborted) {
      return new TransientConnectorError(`${what} was abandoned: the connector was closed`, {
        code: 'CLOSED',
      });
    }
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new TransientConnectorError(`${what} timed out after ${this.timeoutMs} ms`, {
        code: 'ETIMEDOUT',
      });
    }
    const reason = networkReason(error);
    const message = this.scrub(`${what} could not reach ${this.baseUrl}: ${reason.message}`);
    const options = { ...(reason.code ? { code: reason.code } : {}), cause: error };
    return reason.code && TLS_CODES.test(reason.code)
      ? new PermanentConnectorError(message, options)
      : new TransientConnectorError(message, options);
  }

  private statusError(
    what: string,
    response: Response,
    body: Record<string, unknown> | undefined,
    text: string,
  ): ConnectorError {
    const status = response.status;
    const scimType = typeof body?.scimType === 'string' ? ` (${body.scimType})` : '';
    let detail = describeBody(body, text);
    if (status >= 300 && status < 400)
      detail = `redirected to ${response.headers.get('location') ?? '?'}; fix baseUrl`;
    const message = this.scrub(`${what} answered ${status}${scimType}: ${detail}`);
    return isTransientStatus(status)
      ? new TransientConnectorError(message, { code: String(status) })
      : new PermanentConnectorError(message, { code: String(status) });
  }

  /** The body of a successful response, which must be a JSON object. */
  async json<T>(request: ScimRequest): Promise<T> {
    const { body } = await this.send(request);
    if (body === undefined) {
      throw new PermanentConnectorError(
        `SCIM ${request.method} ${request.path} answered without a JSON body`,
      );
    }
    return body as T;
  }

  /**
   * Every resource of a list endpoint, page by page (RFC 7644 §3.4.2.4). Pages are 1-based and
   * the service may return fewer than asked, so the next page starts after what actually came.
   */
  async listAll<T extends { id?: unknown }>(
    path: string,
    pageSize: number,
    query: Record<string, string> = {},
  ): Promise<T[]> {
    const byId = new Map<unknown, T>();
    let startIndex = 1;
    for (;;) {
      const page = await this.json<ScimListResponse<T>>({
        method: 'GET',
        path,
        query: { ...query, startIndex, count: pageSize },
      });
      const resources = page.Resources ?? [];
      const before = byId.size;
      // Keyed by id: a resource created while paging shifts the pages and shows up twice.
      for (const resource of resources) byId.set(resource.id, resource);
      startIndex += resources.length;
      if (resources.length === 0 || startIndex > (page.totalResults ?? 0)) break;
      if (byId.size === before) {
        throw new PermanentConnectorError(
          `SCIM GET ${path} returned the same page again for startIndex ${startIndex - resources.length}: ` +
            'the service does not page as RFC 7644 §3.4.2.4 says',
        );
      }
    }
    return [...byId.values()];
  }
}

/** Deleted by someone between our lookup and our write: the retry looks again and converges. */
export function vanished(what: string, resource: 'user' | 'group'): TransientConnectorError {
  return new TransientConnectorError(
    `${what} answered 404: the ${resource} disappeared after it was looked up`,
    {
      code: '404',
    },
  );
}

/** A filter comparing with a JSON string literal, which is what RFC 7644 §3.4.2.2 compValue is. */
export function scimFilter(attribute: string, value: string): string {
  return `${attribute} eq ${JSON.stringify(value)}`;
}
