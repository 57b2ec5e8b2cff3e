import type { OidcSettings } from '@prov/config';
import { type BaseClient, generators, Issuer } from 'openid-client';
import type { PendingLogin } from '../console-sessions';

/**
 * The gateway as an OpenID Connect relying party: authorization code flow with PKCE (S256),
 * state and nonce. The provider's metadata is fetched at the first sign-in, not at start-up, so
 * the gateway (and machines with tokens) work while the provider is down; a failed discovery is
 * tried again at the next sign-in.
 */
export class OidcRelyingParty {
  private client?: Promise<BaseClient>;

  constructor(readonly settings: OidcSettings) {}

  /** Where to send the person, and what to remember until they come back. */
  async start(returnTo: string): Promise<{ url: string; login: PendingLogin }> {
    const client = await this.discovered();
    const login: PendingLogin = {
      state: generators.state(),
      nonce: generators.nonce(),
      codeVerifier: generators.codeVerifier(),
      returnTo,
    };
    const url = client.authorizationUrl({
      scope: this.settings.scopes,
      state: login.state,
      nonce: login.nonce,
      code_challenge: generators.codeChallenge(login.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url, login };
  }

  /**
   * The person's claims once the provider sent them back: the code is exchanged (with the PKCE
   * verifier), the ID token checked (signature, issuer, audience, nonce), and the userinfo
   * endpoint asked when the ID token does not carry the groups claim.
   */
  async finish(callbackUrl: string, login: PendingLogin): Promise<Record<string, unknown>> {
    const client = await this.discovered();
    const params = client.callbackParams(callbackUrl);
    const tokens = await client.callback(this.settings.redirectUri, params, {
      state: login.state,
      nonce: login.nonce,
      code_verifier: login.codeVerifier,
    });
    const claims: Record<string, unknown> = { ...tokens.claims() };
    if (claims[this.settings.rolesClaim] === undefined && tokens.access_token) {
      const info = await client.userinfo(tokens.access_token);
      for (const [name, value] of Object.entries(info)) if (name !== 'sub') claims[name] ??= value;
    }
    return claims;
  }

  private discovered(): Promise<BaseClient> {
    this.client ??= Issuer.discover(this.settings.issuer).then(
      (issuer) =>
        new issuer.Client({
          client_id: this.settings.clientId,
          ...(this.settings.clientSecret
            ? { client_secret: this.settings.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }
            : { token_endpoint_auth_method: 'none' }),
          redirect_uris: [this.settings.redirectUri],
          response_types: ['code'],
        }),
    );
    this.client.catch(() => (this.client = undefined));
    return this.client;
  }
}
