import { ExecutionContext, HttpException, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, ThrottlerModule } from '@nestjs/throttler';
import type { HardeningSettings } from '@prov/config';
import { bearerToken, tokenDigest } from '../auth/bearer-token';
import { errorBody } from '../http/error-body';
import { HitQueueStorage } from './hit-queue-storage';

export const SIGN_IN_KEY = 'prov:sign-in';

/** A route where callers prove who they are: limited per client address (RATE_LIMIT_SIGN_IN). */
export const SignIn = () => SetMetadata(SIGN_IN_KEY, true);

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type EdgeRequest = {
  method: string;
  ip?: string;
  socket?: { remoteAddress?: string };
  headers: Record<string, string | string[] | undefined>;
};

/**
 * Two limits, both in RATE_LIMIT_WINDOW_MS: sign-in attempts per client address (counted before
 * the token is checked, so guessing tokens is slow), and writes per caller (per bearer token,
 * else per address). Keys are per limit and caller, not per route. Hits are kept by HitQueueStorage:
 * the library's counting at a constant cost per request (ADR 0075).
 */
export function throttlerModule(settings: HardeningSettings) {
  return ThrottlerModule.forRoot({
    throttlers: [
      { name: 'sign-in', ttl: settings.rateLimitWindowMs, limit: settings.rateLimitSignIn },
      { name: 'writes', ttl: settings.rateLimitWindowMs, limit: settings.rateLimitWrites },
    ],
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    storage: new HitQueueStorage(),
  });
}

/**
 * The two limits without @nestjs/throttler's per-route lookups: its guard reads six metadata keys
 * per throttler and request (route overrides, which the gateway does not use) before it knows
 * whether a limit applies at all. Here a request that neither signs in nor writes passes at once,
 * and the others are counted by the library (storage, headers, 429) exactly as before (ADR 0059).
 */
@Injectable()
export class EdgeThrottlerGuard extends ThrottlerGuard {
  /** Whether a handler is a sign-in route: read once per handler, not per request. */
  private readonly signInRoutes = new WeakMap<object, boolean>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<EdgeRequest>();
    const signIn = this.isSignIn(context);
    const write = WRITE_METHODS.has(req.method);
    if (!signIn && !write) return true;
    for (const throttler of this.throttlers) {
      const tracker =
        throttler.name === 'sign-in' && signIn
          ? `ip:${addressOf(req)}`
          : throttler.name === 'writes' && write
            ? callerOf(req)
            : undefined;
      if (tracker === undefined) continue;
      const limit = throttler.limit as number;
      const ttl = throttler.ttl as number;
      await this.handleRequest({
        context,
        limit,
        ttl,
        blockDuration: (throttler.blockDuration as number | undefined) ?? ttl,
        throttler,
        getTracker: async () => tracker,
        generateKey: this.commonOptions.generateKey!,
      });
    }
    return true;
  }

  private isSignIn(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let signIn = this.signInRoutes.get(handler);
    if (signIn === undefined) {
      signIn = this.reflector.getAllAndOverride<boolean>(SIGN_IN_KEY, [handler, context.getClass()]) === true;
      this.signInRoutes.set(handler, signIn);
    }
    return signIn;
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const res = context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>();
    const seconds = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    res.setHeader('Retry-After', String(seconds));
    const message = `too many requests: at most ${detail.limit} in ${Math.round(detail.ttl / 1000)} s; try again in ${seconds} s`;
    throw new HttpException(errorBody(429, 'TooManyRequests', message), 429);
  }
}

function addressOf(req: EdgeRequest): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}

/** The caller a write counts against: a fingerprint of its bearer token (never the token), else its address. */
function callerOf(req: EdgeRequest): string {
  const token = bearerToken(req);
  return token ? `token:${tokenDigest(req, token).slice(0, 16)}` : `ip:${addressOf(req)}`;
}
