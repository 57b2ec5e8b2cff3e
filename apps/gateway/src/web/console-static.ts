import type { INestApplication, LoggerService } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { processEnvironment } from '@prov/config';

/**
 * Where the built console is: `CONSOLE_DIR`, else `dist/web` next to the compiled gateway
 * (`dist/apps/gateway/src/main.js` → `dist/web`).
 */
export function consoleDirectory(
  env: NodeJS.ProcessEnv = processEnvironment(),
  from: string = __dirname,
): string {
  return env.CONSOLE_DIR ? resolve(env.CONSOLE_DIR) : resolve(from, '..', '..', '..', '..', 'web');
}

/** A path of the HTTP API or the SCIM service provider: never a console file or page. */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/scim' || path.startsWith('/scim/');
}

/** Whether a request is one the console's index page answers (a page of the single-page app). */
export function isConsolePage(method: string, path: string, accept: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (isApiPath(path)) return false;
  // A missing asset stays a 404; other dotted paths are pages (`/identities/alice.martin`).
  if (
    path.startsWith('/assets/') ||
    /\.(js|mjs|css|map|png|jpe?g|gif|svg|ico|webp|woff2?|ttf|txt|webmanifest)$/i.test(path)
  )
    return false;
  return !accept || accept.includes('text/html') || accept.includes('*/*');
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Provisioning console</title></head>
<body><main><h1>The console is not built</h1><p>Run <code>npm run build:web</code> (or <code>npm run build</code>) and reload.
The HTTP API is at <a href="/api/docs">/api/docs</a>.</p></main></body></html>`;

/**
 * Serves the web console at `/`: its files (hashed assets cached for a year, the index never),
 * and the index page for any other non-API page so that deep links work. Everything under
 * `/api` stays the API's.
 */
export function serveConsole(
  app: INestApplication,
  logger: LoggerService,
  directory = consoleDirectory(),
): void {
  const index = join(directory, 'index.html');
  const built = existsSync(index);
  if (built) {
    const files = express.static(directory, {
      index: false,
      setHeaders: (res, path) => {
        res.setHeader('X-Content-Type-Options', 'nosniff');
        if (path.includes(`${join(directory, 'assets')}`))
          res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        else res.setHeader('Cache-Control', 'no-cache');
      },
    });
    // Registered before the routes: without this test every GET of the API would first look for
    // a file of that name on disk (ADR 0059).
    app.use((req: Request, res: Response, next: NextFunction) =>
      isApiPath(req.path) ? next() : files(req, res, next),
    );
  } else {
    logger.warn?.({ msg: 'the web console is not built; / shows how to build it', directory });
  }
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!isConsolePage(req.method, req.path, req.headers.accept)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!built) return void res.status(200).type('html').send(NOT_BUILT);
    res.sendFile(index);
  });
}
