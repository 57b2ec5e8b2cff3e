import { type ConnectionOptions, nkeyAuthenticator } from 'nats';

/** How one NATS connection of a service authenticates (ADR 0010). */
export interface BusCredentials {
  /** The NATS user's name in the bus configuration; its replies arrive under `_INBOX.<identity>`. */
  identity: string;
  /** The user's nkey seed (`SU...`). */
  nkeySeed: string;
  /** TLS to NATS: the CA that signed the server's certificate, and optionally a client certificate. */
  tls?: { caFile: string; certFile?: string; keyFile?: string };
}

/** `_INBOX.<identity>`: the only inboxes the identity may subscribe to, so nobody reads another's replies. */
export function inboxPrefix(identity: string): string {
  return `_INBOX.${identity}`;
}

/** nats.js connect options for the credentials: nkey authentication, the private inbox prefix, TLS. */
export function busConnectOptions(
  credentials: BusCredentials,
): Pick<ConnectionOptions, 'authenticator' | 'inboxPrefix' | 'tls'> {
  if (!credentials.nkeySeed)
    throw new Error(`no NATS credentials for '${credentials.identity}': set NATS_NKEY_SEED`);
  return {
    authenticator: nkeyAuthenticator(new TextEncoder().encode(credentials.nkeySeed)),
    inboxPrefix: inboxPrefix(credentials.identity),
    ...(credentials.tls
      ? {
          tls: {
            caFile: credentials.tls.caFile,
            ...(credentials.tls.certFile
              ? { certFile: credentials.tls.certFile, keyFile: credentials.tls.keyFile }
              : {}),
          },
        }
      : {}),
  };
}
