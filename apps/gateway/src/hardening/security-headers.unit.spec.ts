import type { AddressInfo } from 'node:net';
import express from 'express';
import helmet from 'helmet';
import { ANSWER_HEADERS, HELMET_OPTIONS } from '../gateway-app';
import { helmetHeaders, securityHeaders } from './security-headers';

/** The headers of a GET and a POST answered by an Express app set up by `install`. */
async function answers(install: (app: express.Express) => void): Promise<Record<string, string>[]> {
  const app = express();
  install(app);
  app.get('/a', (_req, res) => void res.json({ ok: true }));
  app.post('/a', (_req, res) => void res.status(202).send('accepted'));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const headers = [];
    for (const method of ['GET', 'POST']) {
      const response = await fetch(`${base}/a`, { method });
      const own = Object.fromEntries(response.headers);
      delete own.date;
      headers.push(own);
    }
    return headers;
  } finally {
    server.close();
  }
}

describe('the security headers', () => {
  it('are those helmet gives each response, X-Powered-By removed too', async () => {
    const computedOnce = await answers((app) => {
      app.disable('x-powered-by');
      app.use(securityHeaders(HELMET_OPTIONS));
    });
    const byHelmet = await answers((app) => app.use(helmet(HELMET_OPTIONS)));
    expect(computedOnce).toEqual(byHelmet);
    expect(computedOnce[0]).toMatchObject({
      'content-security-policy': expect.stringContaining("script-src 'self'"),
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
    });
    expect(computedOnce[0]['x-powered-by']).toBeUndefined();
    expect(computedOnce[0]['strict-transport-security']).toBeUndefined();
  });

  it("add the answers' defaults after helmet's", async () => {
    const [read, write] = await answers((app) => app.use(securityHeaders(HELMET_OPTIONS, ANSWER_HEADERS)));
    const [byHelmet] = await answers((app) => app.use(helmet(HELMET_OPTIONS)));
    expect(read).toMatchObject({ ...byHelmet, 'cache-control': 'no-store' });
    expect(write['cache-control']).toBe('no-store');
    expect(byHelmet['cache-control']).toBeUndefined();
  });

  it('refuse a policy computed per request rather than fix it at its first value', () => {
    expect(() =>
      helmetHeaders({
        contentSecurityPolicy: { directives: { scriptSrc: ["'self'", () => "'nonce-abc'"] } },
      }),
    ).toThrow(/computed per request/);
  });
});
