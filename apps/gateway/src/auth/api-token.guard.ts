import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiRole } from '@prov/config';
import { ApiTokens } from './api-tokens.provider';
import { bearerToken, tokenDigest } from './bearer-token';
import type { AuthenticatedRequest, Caller } from './caller';
import { ConsoleSessions } from './console-sessions';
import { PUBLIC_KEY, QUERY_TOKEN_KEY, ROLES_KEY } from './roles.decorator';

export type { AuthenticatedRequest, Caller } from './caller';

/**
 * Bearer credentials on every route but the public ones: a machine's API token (API_TOKENS) or
 * a person's console session (after an OpenID Connect sign-in). 401 without a valid one, 403
 * when the caller's role may not call the route.
 */
/** What a route's decorators say about its callers; static, so read once per handler. */
interface RouteAccess {
  public: boolean;
  roles: ApiRole[];
  queryToken: boolean;
}

@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly routes = new WeakMap<object, RouteAccess>();

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokens,
    private readonly sessions: ConsoleSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.accessOf(context);
    if (route.public) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = bearerToken(request) ?? (route.queryToken ? queryToken(request) : undefined);
    if (!presented)
      throw new UnauthorizedException('a bearer token is required (Authorization: Bearer <token>)');
    const caller: Caller | undefined =
      this.tokens.callerOfDigest(tokenDigest(request, presented)) ??
      (await this.sessions.callerOf(presented));
    if (!caller)
      throw new UnauthorizedException('the bearer token is not valid (or the session has expired)');
    request.caller = caller;
    const allowed = route.roles;
    if (caller.role !== 'admin' && !allowed.includes(caller.role)) {
      throw new ForbiddenException(
        `the role '${caller.role}' may not do this; it needs one of: ${['admin', ...allowed].join(', ')}`,
      );
    }
    return true;
  }

  private accessOf(context: ExecutionContext): RouteAccess {
    const handler = context.getHandler();
    let access = this.routes.get(handler);
    if (!access) {
      const targets = [handler, context.getClass()];
      access = {
        public: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true,
        roles: this.reflector.getAllAndOverride<ApiRole[]>(ROLES_KEY, targets) ?? [],
        queryToken: this.reflector.getAllAndOverride<boolean>(QUERY_TOKEN_KEY, targets) === true,
      };
      this.routes.set(handler, access);
    }
    return access;
  }
}

/** `?access_token=`, on the routes that allow it only (see AllowQueryToken). */
function queryToken(request: AuthenticatedRequest): string | undefined {
  const token = request.query?.access_token;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}
