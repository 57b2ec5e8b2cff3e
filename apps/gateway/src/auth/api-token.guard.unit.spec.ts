import { ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiRole } from '@prov/config';
import { ApiTokenGuard, type AuthenticatedRequest } from './api-token.guard';
import { AllowQueryToken, Roles } from './roles.decorator';

class Routes {
  @Roles('reviewer')
  review() {}

  @Roles('requester', 'reviewer', 'operator')
  @AllowQueryToken()
  events() {}
}

const tokens = new Map<string, { role: ApiRole; actor: string }>([
  ['reviewer-token-1', { role: 'reviewer', actor: 'reviewer-1' }],
  ['requester-token-1', { role: 'requester', actor: 'requester-1' }],
]);
const guard = new ApiTokenGuard(new Reflector(), tokens);

function context(handler: keyof Routes, request: AuthenticatedRequest): ExecutionContext {
  return {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe('the API token guard', () => {
  it('takes the bearer token from the Authorization header and checks the role', () => {
    const request: AuthenticatedRequest = { headers: { authorization: 'Bearer reviewer-token-1' } };
    expect(guard.canActivate(context('review', request))).toBe(true);
    expect(request.caller).toEqual({ role: 'reviewer', actor: 'reviewer-1' });
    expect(() =>
      guard.canActivate(context('review', { headers: { authorization: 'Bearer requester-token-1' } })),
    ).toThrow(ForbiddenException);
  });

  it('accepts ?access_token= on the live-updates stream only', () => {
    const onStream: AuthenticatedRequest = { headers: {}, query: { access_token: 'requester-token-1' } };
    expect(guard.canActivate(context('events', onStream))).toBe(true);
    expect(onStream.caller?.role).toBe('requester');
    expect(() =>
      guard.canActivate(context('review', { headers: {}, query: { access_token: 'reviewer-token-1' } })),
    ).toThrow(UnauthorizedException);
    expect(() =>
      guard.canActivate(context('events', { headers: {}, query: { access_token: 'wrong' } })),
    ).toThrow(UnauthorizedException);
  });
});
