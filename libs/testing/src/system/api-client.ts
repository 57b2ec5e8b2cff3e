/**
 * A small HTTP client for the gateway's API and a polling helper, for end-to-end tests and the
 * local start script. fetch-based (Node's own), no dependency.
 */

// Tests read fields of many different responses; `any` by default keeps them readable, and a
// caller that wants checking passes the type: `api.get<AssignmentView>(...)`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ApiResponse<T = any> {
  status: number;
  /** Parsed JSON when the response is JSON, the text otherwise, undefined when empty. */
  body: T;
  headers: Headers;
}

export interface ApiRequestOptions {
  /** Bearer token; defaults to the client's; `null` sends none (to test 401). */
  token?: string | null;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Per request, default 15 s: a hung gateway fails the test instead of stalling it. */
  timeoutMs?: number;
}

/**
 * The URL of an API path. Paths may be written with or without the `/api` prefix
 * (`/api/identities` and `/identities` are the same), and the base may end in `/api` or not,
 * so callers need not care which convention the other side used.
 */
export function resolveApiUrl(baseUrl: string, path: string): string {
  if (/^https?:\/\//.test(path)) return path;
  const base = baseUrl.replace(/\/+$/, '').replace(/\/api$/, '');
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return /^\/api(\/|\?|$)/.test(withSlash) ? `${base}${withSlash}` : `${base}/api${withSlash}`;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly defaultToken?: string,
  ) {}

  /** The same API with another caller. */
  as(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  get<T = any>(path: string, options: ApiRequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  post<T = any>(path: string, options: ApiRequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, options);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  delete<T = any>(path: string, options: ApiRequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, options);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async request<T = any>(
    method: string,
    path: string,
    options: ApiRequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const token = options.token === undefined ? this.defaultToken : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const url = resolveApiUrl(this.baseUrl, path);
    const response = await fetch(url, {
      method,
      headers,
      body: payload,
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    }).catch((error: unknown) => {
      throw new Error(`${method} ${url} failed: ${describeError(error)}`);
    });
    const text = await response.text();
    let body: unknown = text.length ? text : undefined;
    if (text.length && (response.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON after all: the text says more than a parse error would
      }
    }
    return { status: response.status, body: body as T, headers: response.headers };
  }
}

export interface WaitForOptions<T> {
  /** Default 10 s. */
  timeoutMs?: number;
  /** Pause between attempts, default 200 ms. */
  intervalMs?: number;
  /** What is awaited, for the error message ("assignment a1 to be Executed"). */
  description?: string;
  /** When the value is good enough; by default any truthy value is. */
  until?: (value: T) => boolean;
  /** Stops waiting (rejects with the signal's reason) once aborted, e.g. when the awaited process died. */
  signal?: AbortSignal;
}

/**
 * Calls `fn` until it returns a value `until` accepts (by default: a truthy one) and returns
 * that value. An attempt that throws (a failing `expect`, a refused connection) counts as not
 * yet. On time-out the error says what was awaited and the last value or error seen, which
 * is usually all it takes to see why.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, options: WaitForOptions<T> = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 200;
  const accept = options.until ?? ((value: T) => Boolean(value));
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt finished';
  let attempts = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    attempts++;
    try {
      // Each attempt is bounded too, so that one hung call cannot outlast the whole wait.
      const value = await withDeadline(Promise.resolve().then(fn), deadline);
      if (accept(value)) return value;
      last = `last value: ${describeValue(value)}`;
    } catch (error) {
      if (error !== DEADLINE) last = `last error: ${describeError(error)}`;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const what = options.description ?? 'the condition';
      throw new Error(`timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${what}; ${last}`);
    }
    await pause(Math.min(intervalMs, left), options.signal);
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const DEADLINE = Symbol('deadline');

function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(DEADLINE), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** JSON (bigints as text), cut short: enough to see what came back without flooding the output. */
export function describeValue(value: unknown, max = 2000): string {
  let text: string;
  try {
    text =
      JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ??
      String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
