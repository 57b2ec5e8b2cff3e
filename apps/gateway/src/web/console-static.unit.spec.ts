import type { INestApplication } from '@nestjs/common';
import express from 'express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANSWER_HEADERS, HELMET_OPTIONS } from '../gateway-app';
import { securityHeaders } from '../hardening/security-headers';
import { consoleDirectory, isConsolePage, serveConsole } from './console-static';

describe('serving the web console', () => {
  it('answers pages of the console with its index, deep links included', () => {
    expect(isConsolePage('GET', '/', 'text/html,application/xhtml+xml')).toBe(true);
    expect(isConsolePage('GET', '/review', 'text/html')).toBe(true);
    expect(isConsolePage('GET', '/identities/alice.martin', 'text/html')).toBe(true);
    expect(isConsolePage('HEAD', '/jobs', undefined)).toBe(true);
  });

  it('leaves the API, missing assets, other methods and non-HTML requests alone', () => {
    expect(isConsolePage('GET', '/api', 'text/html')).toBe(false);
    expect(isConsolePage('GET', '/api/identities', 'text/html')).toBe(false);
    expect(isConsolePage('GET', '/assets/index-abc.js', 'text/html')).toBe(false);
    expect(isConsolePage('GET', '/favicon.ico', '*/*')).toBe(false);
    expect(isConsolePage('POST', '/review', 'text/html')).toBe(false);
    expect(isConsolePage('GET', '/review', 'application/json')).toBe(false);
  });

  it('finds the build next to the compiled gateway, or where CONSOLE_DIR says', () => {
    expect(consoleDirectory({}, join('/srv', 'dist', 'apps', 'gateway', 'src', 'web'))).toBe(
      join('/srv', 'dist', 'web'),
    );
    expect(consoleDirectory({ CONSOLE_DIR: '/opt/console' })).toBe('/opt/console');
  });

  it("serves the console's files with their own caching, and never looks for one on the API's paths", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'console-'));
    writeFileSync(join(directory, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(directory, 'favicon.svg'), '<svg/>');
    mkdirSync(join(directory, 'assets'));
    writeFileSync(join(directory, 'assets', 'index-abc.js'), 'export {};');
    mkdirSync(join(directory, 'api'));
    writeFileSync(join(directory, 'api', 'health'), 'a file, not the API');
    const app = express();
    // As in the gateway: every answer no-store unless its route says otherwise.
    app.use(securityHeaders(HELMET_OPTIONS, ANSWER_HEADERS));
    serveConsole(
      app as unknown as INestApplication,
      { log: () => undefined, warn: () => undefined, error: () => undefined },
      directory,
    );
    app.use((_req, res) => void res.status(404).send('the routes'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const favicon = await fetch(`${base}/favicon.svg`);
      expect(favicon.status).toBe(200);
      expect(favicon.headers.get('cache-control')).toBe('no-cache');
      const asset = await fetch(`${base}/assets/index-abc.js`);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      // A file unchanged since the browser's copy is revalidated, not sent again (a browser's
      // revalidation says max-age=0; fetch alone would add no-cache to a conditional request).
      const revalidated = await fetch(`${base}/favicon.svg`, {
        headers: { 'if-none-match': favicon.headers.get('etag')!, 'cache-control': 'max-age=0' },
      });
      expect(revalidated.status).toBe(304);
      const page = await fetch(`${base}/review`, { headers: { accept: 'text/html' } });
      expect(await page.text()).toContain('console');
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const api = await fetch(`${base}/api/health`);
      expect(await api.text()).toBe('the routes');
      expect(api.headers.get('cache-control')).toBe('no-store');
    } finally {
      server.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
