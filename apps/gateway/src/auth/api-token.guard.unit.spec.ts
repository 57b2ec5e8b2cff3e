import { ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { hashApiToken } from '@prov/config';
import { ApiTokenGuard, type AuthenticatedRequest } from './api-token.guard';
import { ApiTokens } from './api-tokens.provider';
import { ConsoleSessions } from './console-sessions';
import { AllowQueryToken, Roles } from './roles.decorator';

class Routes {
  @Roles('reviewer')
  review() {}

  @Roles('requester', 'reviewer', 'operator', 'auditor')
  @AllowQueryToken()
  events() {}
}

const tokens = new ApiTokens([
  { name: 'review-bot', role: 'reviewer', sha256: hashApiToken('reviewer-token-1') },
  { name: 'hr-feed', role: 'requester', sha256: hashApiToken('requester-token-1') },
]);
const sessions = new ConsoleSessions({ secret: 'a'.repeat(32), ttlSeconds: 3600 });
const guard = new ApiTokenGuard(new Reflector(), tokens, sessions);

function context(handler: keyof Routes, request: AuthenticatedRequest): ExecutionContext {
  return {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

const bearer = (token: string): AuthenticatedRequest => ({ headers: { authorization: `Bearer ${token}` } });

describe('the bearer guard', () => {
  it("takes an API token from the Authorization header, by its hash, with the token's name as actor", async () => {
    const request = bearer('reviewer-token-1');
    await expect(guard.canActivate(context('review', request))).resolves.toBe(true);
    expect(request.caller).toEqual({ role: 'reviewer', actor: 'review-bot', kind: 'token' });
    await expect(guard.canActivate(context('review', bearer('requester-token-1')))).rejects.toThrow(
      ForbiddenException,
    );
    // The hash itself is no credential.
    await expect(
      guard.canActivate(context('review', bearer(hashApiToken('reviewer-token-1')))),
    ).rejects.toThrow(UnauthorizedException);
  });

  it('takes a console session, with the person as actor', async () => {
    const session = await sessions.issue({ subject: 'rita', name: 'Rita Reviewer', role: 'reviewer' });
    const request = bearer(session);
    await expect(guard.canActivate(context('review', request))).resolves.toBe(true);
    expect(request.caller).toEqual({ role: 'reviewer', actor: 'Rita Reviewer (rita)', kind: 'person' });
  });

  it('refuses a session signed with another key or tampered with', async () => {
    const other = new ConsoleSessions({ secret: 'b'.repeat(32), ttlSeconds: 3600 });
    const forged = await other.issue({ subject: 'mallory', name: 'Mallory', role: 'admin' });
    await expect(guard.canActivate(context('review', bearer(forged)))).rejects.toThrow(UnauthorizedException);
    const genuine = await sessions.issue({ subject: 'sam', name: 'Sam', role: 'requester' });
    const [header, , signature] = genuine.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'sam', name: 'Sam', role: 'admin' })).toString(
      'base64url',
    );
    await expect(
      guard.canActivate(context('review', bearer(`${header}.${payload}.${signature}`))),
    ).rejects.toThrow(UnauthorizedException);
    // A pending login is signed with the same key but is no session.
    const login = await sessions.sealLogin({ state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/' });
    await expect(guard.canActivate(context('review', bearer(login)))).rejects.toThrow(UnauthorizedException);
  });

  it('accepts ?access_token= on the live-updates stream only', async () => {
    const onStream: AuthenticatedRequest = { headers: {}, query: { access_token: 'requester-token-1' } };
    await expect(guard.canActivate(context('events', onStream))).resolves.toBe(true);
    expect(onStream.caller?.role).toBe('requester');
    await expect(
      guard.canActivate(context('review', { headers: {}, query: { access_token: 'reviewer-token-1' } })),
    ).rejects.toThrow(UnauthorizedException);
    await expect(
      guard.canActivate(context('events', { headers: {}, query: { access_token: 'wrong' } })),
    ).rejects.toThrow(UnauthorizedException);
  });

  it("reads a route's roles once, not on every request", async () => {
    const reflector = new Reflector();
    const lookups = jest.spyOn(reflector, 'getAllAndOverride');
    const fresh = new ApiTokenGuard(reflector, tokens, sessions);
    for (let i = 0; i < 3; i++)
      await expect(fresh.canActivate(context('review', bearer('reviewer-token-1')))).resolves.toBe(true);
    await expect(fresh.canActivate(context('review', bearer('requester-token-1')))).rejects.toThrow(
      ForbiddenException,
    );
    // Public, roles, query token: three lookups for the route, whatever the number of requests.
    expect(lookups).toHaveBeenCalledTimes(3);
  });
});
