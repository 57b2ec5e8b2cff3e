import { randomUUID } from 'node:crypto';
import { connect, headers as natsHeaders, JSONCodec, type NatsConnection } from 'nats';
import { busConnectOptions, COMMAND_TOKEN_HEADER } from '@prov/messaging';
import type { BusIdentity } from '@prov/testing';

const json = JSONCodec<Record<string, unknown>>();

/** A raw NATS connection with one identity's credentials: what an attacker holding them could do. */
export function connectAs(
  natsUrl: string,
  identity: BusIdentity,
  jetstream = false,
  reconnect = true,
): Promise<NatsConnection> {
  const credentials = jetstream
    ? { identity: `${identity.identity}-js`, nkeySeed: identity.jetstream!.nkeySeed }
    : { identity: identity.identity, nkeySeed: identity.nkeySeed };
  return connect({
    servers: natsUrl,
    name: `e2e-${credentials.identity}`,
    reconnect,
    // Generous: a busy CI machine may take seconds to answer a handshake.
    timeout: 30_000,
    ...busConnectOptions(credentials),
  });
}

export interface RawReply {
  response?: unknown;
  err?: { code?: string; status?: number; message?: string; details?: { reason?: string } };
}

/** Sends a command the way the Nest client does (packet `{pattern, data, id}`), with the token given, if any. */
export async function rawCommand(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  token?: string,
): Promise<RawReply> {
  const headers = natsHeaders();
  if (token) headers.set(COMMAND_TOKEN_HEADER, token);
  const reply = await nc.request(
    subject,
    json.encode({ pattern: subject, data: body as Record<string, unknown>, id: randomUUID() }),
    {
      timeout: 10_000,
      headers,
    },
  );
  return json.decode(reply.data) as RawReply;
}

/** The error code of a NATS operation that the server refused (`PERMISSIONS_VIOLATION`), or 'allowed'. */
export async function refusal(operation: Promise<unknown>): Promise<string> {
  return operation.then(
    () => 'allowed',
    (error: { code?: string; message?: string }) => error.code ?? error.message ?? String(error),
  );
}
