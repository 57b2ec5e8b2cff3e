import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import type { ApiRole } from '@prov/config';
import { PUBLIC_KEY, QUERY_TOKEN_KEY, ROLES_KEY } from './roles.decorator';

export const API_TOKENS = Symbol('API_TOKENS');

export interface Caller {
  role: ApiRole;
  /** A stable, non-secret name for the audit trail: the role and a short token fingerprint. */
  actor: string;
}

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  caller?: Caller;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Bearer tokens from API_TOKENS, checked on every route but the public ones: 401 without a
 * valid token, 403 when the token's role may not call the route.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_TOKENS) private readonly tokens: Map<string, { role: ApiRole; actor: string }>,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers['authorization'];
    const value = Array.isArray(header) ? header[0] : header;
    const presented = /^Bearer\s+(\S+)$/i.exec(value ?? '')?.[1] ?? this.queryToken(request, context);
    if (!presented) throw new UnauthorizedException('a bearer token is required (Authorization: Bearer <token>)');
    let caller: Caller | undefined;
    for (const [token, entry] of this.tokens) {
      if (sameToken(token, presented)) caller = entry;
    }
    if (!caller) throw new UnauthorizedException('the bearer token is not valid');
    request.caller = caller;
    const allowed = this.reflector.getAllAndOverride<ApiRole[]>(ROLES_KEY, targets) ?? [];
    if (caller.role !== 'admin' && !allowed.includes(caller.role)) {
      throw new ForbiddenException(
        `the role '${caller.role}' may not do this; it needs one of: ${['admin', ...allowed].join(', ')}`,
      );
    }
    return true;
  }

  /** `?access_token=`, on the routes that allow it only (see AllowQueryToken). */
  private queryToken(request: AuthenticatedRequest, context: ExecutionContext): string | undefined {
    if (!this.reflector.getAllAndOverride<boolean>(QUERY_TOKEN_KEY, [context.getHandler(), context.getClass()])) return undefined;
    const token = request.query?.access_token;
    return typeof token === 'string' && token.length > 0 ? token : undefined;
  }
}
