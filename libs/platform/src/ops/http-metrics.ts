import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpRequestSeconds } from './metrics';

type Request = IncomingMessage & { route?: { path?: string }; baseUrl?: string };

/**
 * Express middleware timing every request by its route pattern (`/api/assignments/:id`, never
 * the path with ids in it, which would give a series per identity); requests no route matched
 * (the console's files, 404s) share `unmatched`.
 */
export function httpMetricsMiddleware(req: Request, res: ServerResponse, next: () => void): void {
  const end = httpRequestSeconds.startTimer();
  res.once('finish', () => {
    const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
    end({ method: req.method ?? 'GET', route, status: String(res.statusCode) });
  });
  next();
}
