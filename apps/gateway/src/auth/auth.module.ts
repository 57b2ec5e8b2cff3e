import { Global, Module } from '@nestjs/common';
import { readPeopleSettings } from '@prov/config';
import { apiTokensProvider } from './api-tokens.provider';
import { consoleSessionsProvider } from './console-sessions';
import { AuthController, RELYING_PARTY } from './oidc/auth.controller';
import { OidcRelyingParty } from './oidc/relying-party';

/** Who the caller is: machines by API token, people by OpenID Connect sign-in and console session. */
@Global()
@Module({
  controllers: [AuthController],
  providers: [
    apiTokensProvider,
    consoleSessionsProvider,
    {
      provide: RELYING_PARTY,
      useFactory: () => {
        const { oidc } = readPeopleSettings();
        return oidc ? new OidcRelyingParty(oidc) : null;
      },
    },
  ],
  exports: [apiTokensProvider.provide, consoleSessionsProvider.provide],
})
export class AuthModule {}
