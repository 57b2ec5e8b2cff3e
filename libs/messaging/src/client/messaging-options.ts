import type { BusCredentials } from '../bus/bus-connection';
import type { CommandKeys } from '../signing/command-keys';

/** Injection token of the NATS `ClientProxy` that `MessagingModule` registers. */
export const COMMAND_CLIENT_PROXY = Symbol.for('prov.messaging.command-client-proxy');

/** Injection token of the {@link MessagingModuleOptions}. */
export const MESSAGING_OPTIONS = Symbol.for('prov.messaging.options');

/** How long a caller waits for a command's reply unless it says otherwise. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

export interface MessagingModuleOptions {
  /** `nats://host:port`, or several separated by commas (a cluster). */
  natsUrl: string;
  /** The calling service (`gateway`, `agent`, ...): the NATS connection name in monitoring and logs. */
  name: string;
  /** The NATS user the client connects as (ADR 0010). */
  credentials: BusCredentials;
  /** The key the client signs its commands with; `keys.identity` is the signer. */
  signing: { keys: Pick<CommandKeys, 'identity' | 'privateKey'>; ttlMs?: number };
  /** Default for `CommandClient.send()`; {@link DEFAULT_COMMAND_TIMEOUT_MS} when unset. */
  defaultTimeoutMs?: number;
  /** Pause between reconnect attempts; the client retries for ever. */
  reconnectTimeWaitMs?: number;
  /** Make `CommandClient` injectable everywhere without importing the module again (default true). */
  global?: boolean;
}

/** `nats://a:4222,nats://b:4222` -> both servers, so a cluster URL from the environment works. */
export function natsServers(natsUrl: string): string[] {
  const servers = natsUrl
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (servers.length === 0) throw new Error('natsUrl is empty: set NATS_URL (e.g. nats://127.0.0.1:4222)');
  return servers;
}
