import { Controller, Get, Inject, Logger, Query, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ConsoleSessions } from '../console-sessions';
import { Public } from '../roles.decorator';
import { personFromClaims } from './person-from-claims';
import { OidcRelyingParty } from './relying-party';

export const RELYING_PARTY = Symbol('RELYING_PARTY');
const LOGIN_COOKIE = 'prov_login';
const COOKIE_PATH = '/api/auth';

/** A path of the console to come back to; anything else (another site, a scheme) is the start page. */
export function localPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s#]*$/.test(value) ? value : '/';
}

function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/**
 * People sign in to the console here with OpenID Connect. The session the console then holds is
 * a short-lived signed token, sent back in the URL fragment (never sent to a server, removed by
 * the console at once) and used like an API token from then on.
 */
@ApiTags('session')
@Controller('auth')
export class AuthController {
  private readonly logger = new Logger('gateway');

  constructor(
    @Inject(RELYING_PARTY) private readonly relyingParty: OidcRelyingParty | null,
    private readonly sessions: ConsoleSessions,
  ) {}

  @Get('methods')
  @Public()
  @ApiOperation({
    summary: 'How people may sign in: with the organisation (OpenID Connect) and/or an API token',
  })
  @ApiOkResponse({ schema: { example: { oidc: true, tokens: true } } })
  methods() {
    return { oidc: this.relyingParty !== null, tokens: true };
  }

  @Get('login')
  @Public()
  @ApiOperation({
    summary: 'Starts an OpenID Connect sign-in (authorization code with PKCE): redirects to the provider',
  })
  @ApiQuery({
    name: 'returnTo',
    required: false,
    description: 'A console path to come back to, e.g. /review',
  })
  @ApiFoundResponse({
    description: "To the provider's authorization endpoint; to / with #signin_error=… when it fails",
  })
  async login(
    @Query('returnTo') returnTo: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!this.relyingParty)
      return this.fail(response, 'Sign-in with your organisation is not set up here; use an API token.');
    try {
      const { url, login } = await this.relyingParty.start(localPath(returnTo));
      const secure = this.relyingParty.settings.redirectUri.startsWith('https:') ? '; Secure' : '';
      const sealed = await this.sessions.sealLogin(login);
      response.setHeader(
        'Set-Cookie',
        `${LOGIN_COOKIE}=${sealed}; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=600${secure}`,
      );
      response.redirect(302, url);
    } catch (error) {
      this.logger.warn({
        msg: 'the OpenID provider could not be reached',
        error: (error as Error).message,
        path: request.path,
      });
      this.fail(
        response,
        'The sign-in service of your organisation cannot be reached. Try again in a moment.',
      );
    }
  }

  @Get('callback')
  @Public()
  @ApiOperation({
    summary: 'Where the OpenID provider sends people back: redirects to the console with its session',
  })
  @ApiFoundResponse({
    description: 'To the console path asked for, with #session=…; with #signin_error=… when refused',
  })
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    response.setHeader(
      'Set-Cookie',
      `${LOGIN_COOKIE}=; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=0`,
    );
    const sealed = cookie(request, LOGIN_COOKIE);
    const login = sealed ? await this.sessions.openLogin(sealed) : undefined;
    if (!this.relyingParty || !login) {
      return this.fail(
        response,
        'This sign-in was started too long ago or in another browser. Sign in again.',
      );
    }
    let claims: Record<string, unknown>;
    try {
      claims = await this.relyingParty.finish(request.originalUrl, login);
    } catch (error) {
      // The provider's own error (access_denied, …) or a failed check; no token is in it.
      this.logger.warn({ msg: 'an OpenID Connect sign-in failed', error: (error as Error).message });
      return this.fail(response, `The sign-in was not completed: ${(error as Error).message}`);
    }
    const decision = personFromClaims(claims, this.relyingParty.settings);
    if ('refused' in decision) {
      this.logger.log({ msg: 'a person without a mapped group was refused', subject: claims.sub });
      return this.fail(response, `You are signed in with your organisation, but ${decision.refused}.`);
    }
    const session = await this.sessions.issue(decision.person);
    this.logger.log({
      msg: 'a person signed in',
      subject: decision.person.subject,
      role: decision.person.role,
    });
    response.redirect(302, `${login.returnTo}#session=${session}`);
  }

  private fail(response: Response, message: string): void {
    response.redirect(302, `/#signin_error=${encodeURIComponent(message)}`);
  }
}
