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
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';

export const API_TOKENS = Symbol('API_TOKENS');

export interface Caller {
  role: ApiRole;
  /** A stable, non-secret name for the audit trail: the role and a short token fingerprint. */
  actor: string;
}

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
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
    const match = /^Bearer\s+(\S+)$/i.exec(value ?? '');
    if (!match) throw new UnauthorizedException('a bearer token is required (Authorization: Bearer <token>)');
    let caller: Caller | undefined;
    for (const [token, entry] of this.tokens) {
      if (sameToken(token, match[1])) caller = entry;
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
}
