import { type FieldProblem, fieldProblemsOf, plainMessage } from './messages';
import type { ApiErrorBody } from './types';

const TOKEN_KEY = 'prov.console.token';

/** The bearer token lives in sessionStorage: it survives a reload, not the closing of the tab. */
export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/**
 * A failed call, with the API's own fields kept (`status`, `code`, `details`) and a message
 * written for people (`message`), never the raw body.
 */
export class ApiError extends Error {
  readonly fields: FieldProblem[];

  constructor(
    readonly status: number,
    readonly code: string,
    readonly apiMessage: string,
    readonly details?: unknown,
  ) {
    super(plainMessage(status, code, apiMessage, details));
    this.name = 'ApiError';
    this.fields = fieldProblemsOf(details);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when the gateway no longer accepts the token (401): the session ends. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export interface RequestOptions {
  body?: unknown;
  /** Use this token instead of the stored one (sign-in checks a token before storing it). */
  token?: string;
  signal?: AbortSignal;
}

/** Calls the API under `/api` with the bearer token; resolves with the parsed JSON. */
export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  return (await call<T>(method, path, options)).body;
}

/** One page of a paged list: the rows, and the cursor of the next page (null on the last one). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** GET of a paged list: the body is the page's rows, the `X-Next-Cursor` header says whether more follow. */
export async function getPage<T>(path: string, signal?: AbortSignal): Promise<Page<T>> {
  const { body, headers } = await call<T[]>('GET', path, { signal });
  return { items: body ?? [], next: headers.get('X-Next-Cursor') };
}

/** GET of a body that is not one JSON document (an export: JSON lines, CSV), as text. */
export async function getText(path: string, signal?: AbortSignal): Promise<string> {
  return (await call<unknown>('GET', path, { signal })).text;
}

async function call<T>(
  method: string,
  path: string,
  options: RequestOptions,
): Promise<{ body: T; headers: Headers; text: string }> {
  const token = options.token ?? tokenStore.get();
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal ?? AbortSignal.timeout(30_000),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError' && options.signal?.aborted) throw error;
    throw new ApiError(0, 'NetworkError', (error as Error).message);
  }
  const text = await response.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (!response.ok) {
    const error = body as Partial<ApiErrorBody> | undefined;
    if (response.status === 401 && !options.token) unauthorizedListeners.forEach((listener) => listener());
    throw new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : `Http${response.status}`,
      typeof error?.message === 'string' ? error.message : response.statusText,
      error?.details,
    );
  }
  return { body: body as T, headers: response.headers, text };
}

/** Query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, { signal });
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, { body: body ?? {} });
export const del = <T>(path: string, body?: unknown) => api<T>('DELETE', path, { body: body ?? {} });
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, { body });
