import { scrubSecrets, PermanentConnectorError, TransientConnectorError } from '../errors';
import { isTransientStatus, ScimClient, scimFilter } from './scim-client';

// The HTTP exchanges are faked by replacing global fetch: these tests are about how answers and
// failures are classified and worded, the real exchanges are in scim-connector.int.spec.ts and
// scim-connector-failures.int.spec.ts.

const TOKEN = 'tok-0123456789abcdef';

function client(closing = new AbortController().signal): ScimClient {
  return new ScimClient('https://scim.example.org/v2', TOKEN, 1000, closing, (m) => scrubSecrets(m, [TOKEN]));
}

function answer(status: number, body: string, headers: Record<string, string> = {}): void {
  jest
    .spyOn(globalThis, 'fetch')
    .mockResolvedValue(new Response(body === '' ? null : body, { status, headers }));
}

function failWith(error: unknown): void {
  jest.spyOn(globalThis, 'fetch').mockRejectedValue(error);
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}

afterEach(() => jest.restoreAllMocks());

describe('SCIM HTTP failures', () => {
  it.each([408, 429, 500, 502, 503, 504])('%s is transient', (status) =>
    expect(isTransientStatus(status)).toBe(true),
  );
  it.each([400, 401, 403, 404, 409, 412, 501])('%s is permanent', (status) =>
    expect(isTransientStatus(status)).toBe(false),
  );

  it("words an error with the service's scimType and detail, and scrubs the token out of it", async () => {
    answer(400, JSON.stringify({ status: '400', scimType: 'invalidValue', detail: `bad token ${TOKEN}` }));
    const error = await failure(client().send({ method: 'POST', path: '/Users', body: {} }));
    expect(error).toBeInstanceOf(PermanentConnectorError);
    expect(error.message).toBe('SCIM POST /Users answered 400 (invalidValue): bad token ***');
    expect((error as PermanentConnectorError).code).toBe('400');
  });

  it("uses the text of a proxy's HTML page when there is no SCIM error body", async () => {
    answer(502, '<html><body>Bad Gateway</body></html>', { 'content-type': 'text/html' });
    const error = await failure(client().send({ method: 'GET', path: '/Users' }));
    expect(error).toBeInstanceOf(TransientConnectorError);
    expect(error.message).toBe('SCIM GET /Users answered 502: <html><body>Bad Gateway</body></html>');
  });

  it('does not follow redirects (the token would go along) and says to fix baseUrl', async () => {
    answer(301, '', { location: 'https://elsewhere.example.org/v2/Users' });
    const error = await failure(client().send({ method: 'GET', path: '/Users' }));
    expect(error).toBeInstanceOf(PermanentConnectorError);
    expect(error.message).toBe(
      'SCIM GET /Users answered 301: redirected to https://elsewhere.example.org/v2/Users; fix baseUrl',
    );
    expect(jest.mocked(fetch).mock.calls[0][1]).toMatchObject({ redirect: 'manual' });
  });

  it('hands back statuses the caller accepts, with the parsed body', async () => {
    answer(409, JSON.stringify({ scimType: 'uniqueness' }));
    await expect(client().send({ method: 'POST', path: '/Users', body: {}, accept: [409] })).resolves.toEqual(
      {
        status: 409,
        body: { scimType: 'uniqueness' },
      },
    );
    answer(204, '');
    await expect(client().send({ method: 'DELETE', path: '/Users/1' })).resolves.toEqual({
      status: 204,
      body: undefined,
    });
  });

  it('treats network failures as transient and certificate failures as permanent', async () => {
    failWith(
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      }),
    );
    let error = await failure(client().send({ method: 'GET', path: '/Users' }));
    expect(error).toBeInstanceOf(TransientConnectorError);
    expect(error.message).toBe(
      'SCIM GET /Users could not reach https://scim.example.org/v2: read ECONNRESET',
    );

    const cert = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' });
    failWith(new TypeError('fetch failed', { cause: cert }));
    error = await failure(client().send({ method: 'GET', path: '/Users' }));
    expect(error).toBeInstanceOf(PermanentConnectorError);
    expect((error as PermanentConnectorError).code).toBe('CERT_HAS_EXPIRED');
  });

  it('says the connector was closed when its requests are abandoned', async () => {
    const closing = new AbortController();
    closing.abort();
    failWith(new DOMException('This operation was aborted', 'AbortError'));
    const error = await failure(client(closing.signal).send({ method: 'GET', path: '/Users' }));
    expect(error).toBeInstanceOf(TransientConnectorError);
    expect(error.message).toBe('SCIM GET /Users was abandoned: the connector was closed');
  });

  it('sends the bearer token, SCIM content type and query parameters', async () => {
    answer(200, JSON.stringify({ Resources: [] }));
    await client().send({
      method: 'GET',
      path: '/Users',
      query: { filter: scimFilter('userName', 'a"b'), count: 5 },
    });
    const [url, init] = jest.mocked(fetch).mock.calls[0];
    expect(String(url)).toBe('https://scim.example.org/v2/Users?filter=userName+eq+%22a%5C%22b%22&count=5');
    expect(init?.headers).toMatchObject({ authorization: `Bearer ${TOKEN}` });
  });
});
