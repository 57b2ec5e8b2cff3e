import { Agent, request as httpRequest } from 'node:http';

/**
 * The bench's single requests (`POST /api/assignments`, burst and sustained) over node:http with
 * kept-alive connections, instead of the test client's fetch (ADR 0067). The bench runs on the
 * cores it measures, and fetch (undici, its streams, its Headers and its AbortSignal per request)
 * cost about three times node:http's CPU per request: CPU the engine did not get.
 *
 * The gateway sees the same requests as from fetch: the same method, path, body and headers,
 * undici's defaults included (`FETCH_DEFAULT_HEADERS`, checked against fetch by
 * kept-alive-client.int.spec.ts), one connection per request in flight, each kept open for
 * the next. The answer is read the way `ApiClient` reads it (JSON when the type says so).
 */

/** What fetch adds to every request of Node's undici (v20–22) besides host, connection and content-length. */
export const FETCH_DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  'accept-language': '*',
  'sec-fetch-mode': 'cors',
  'user-agent': 'node',
  'accept-encoding': 'gzip, deflate',
};

export interface KeptAliveAnswer {
  status: number;
  /** Parsed JSON when the answer's type is JSON, the text otherwise, undefined when empty. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface KeptAliveRequest {
  /** Bearer token of the caller. */
  token: string;
  /** Sent as JSON. */
  body: unknown;
  /** Without a byte of the answer for this long, the request fails (default 15 s, as ApiClient's). */
  timeoutMs?: number;
}

/** POSTs JSON to one origin (the gateway) on connections kept open between requests. */
export class KeptAliveClient {
  // No limit on sockets, as undici's pool per origin: one connection per request in flight.
  private readonly agent = new Agent({ keepAlive: true });

  constructor(private readonly baseUrl: string) {}

  post(path: string, options: KeptAliveRequest): Promise<KeptAliveAnswer> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    const payload = JSON.stringify(options.body);
    const timeoutMs = options.timeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => reject(new Error(`POST ${url} failed: ${error.message}`));
      const sent = httpRequest(
        url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: timeoutMs,
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${options.token}`,
            'content-type': 'application/json',
            ...FETCH_DEFAULT_HEADERS,
            'content-length': Buffer.byteLength(payload),
          },
        },
        (response) => {
          response.setEncoding('utf8');
          let text = '';
          response.on('data', (chunk: string) => (text += chunk));
          response.on('error', fail);
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: answerBody(text, response.headers) }),
          );
        },
      );
      // The socket's idle timeout: an answer comes in one piece, so this bounds the whole request.
      sent.on('timeout', () => sent.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      sent.on('error', fail);
      sent.end(payload);
    });
  }

  /** Closes the kept connections, so that the process can end. */
  close(): void {
    this.agent.destroy();
  }
}

function answerBody(text: string, headers: { 'content-type'?: string }): unknown {
  if (!text.length) return undefined;
  if (!(headers['content-type'] ?? '').includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    // not JSON after all: the text says more than a parse error would
    return text;
  }
}
