import { existsSync } from 'node:fs';
import { ConfigurationError } from './environment';

/**
 * How a service proves who it is on the NATS bus (ADR 0010): its NATS user (an nkey seed), its
 * own reply inbox, optional TLS, and the key it signs its commands with, plus the public keys
 * of every identity whose commands it accepts. Seeds and keys never appear in messages.
 */
export interface BusSettings {
  /** `gateway`, `orders`, `agent`, `agent-emea`, ...: NATS user, inbox `_INBOX.<identity>` and command signer. */
  identity: string;
  /** The service kind the identity belongs to (`agent` for `agent-emea`). */
  kind: string;
  nkeySeed: string;
  /** A second NATS user for JetStream (the `orders` service), so its command responder holds no JetStream rights. */
  jetstreamNkeySeed?: string;
  tls?: BusTlsSettings;
  /** base64url Ed25519 private key (32 bytes). */
  signingKey: string;
  /** identity -> base64url Ed25519 public key. */
  signers: Record<string, string>;
  /** How long a signed command stays valid. */
  commandTokenTtlMs: number;
}

export interface BusTlsSettings {
  caFile: string;
  certFile?: string;
  keyFile?: string;
}

export const SERVICE_KINDS = ['gateway', 'requests', 'review', 'orders', 'agent', 'projector'] as const;
const IDENTITY = /^([a-z]+)(-[a-z0-9]+)*$/;
const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{43}$/;

/** The service kind of an identity: `agent-emea` -> `agent`; undefined when it names no service. */
export function identityKind(identity: string): string | undefined {
  const match = IDENTITY.exec(identity);
  const kind = match?.[1];
  return kind && (SERVICE_KINDS as readonly string[]).includes(kind) ? kind : undefined;
}

/**
 * Reads the bus settings of `service` (ADR 0010, docs/operations.md "The bus"). Every problem
 * names the variable and the rule: a service without its credentials stops at start.
 */
export function readBusSettings(service: string, env: NodeJS.ProcessEnv = process.env): BusSettings {
  const problems: string[] = [];
  const identity = env.BUS_IDENTITY ?? service;
  const kind = identityKind(identity);
  if (kind !== service) {
    problems.push(
      `BUS_IDENTITY must be '${service}' or '${service}-<name>' (lowercase letters and digits), got '${identity}'`,
    );
  }
  const nkeySeed = env.NATS_NKEY_SEED ?? '';
  if (!nkeySeed)
    problems.push(`NATS_NKEY_SEED is required: the nkey seed (SU...) of the NATS user '${identity}'`);
  else if (!/^SU[A-Z2-7]{56}$/.test(nkeySeed))
    problems.push('NATS_NKEY_SEED must be a user nkey seed (SU followed by 56 base32 characters)');
  const jetstreamNkeySeed = env.NATS_JETSTREAM_NKEY_SEED;
  if (service === 'orders' && !jetstreamNkeySeed) {
    problems.push(
      `NATS_JETSTREAM_NKEY_SEED is required for orders: the nkey seed of the NATS user '${identity}-js'`,
    );
  } else if (jetstreamNkeySeed && !/^SU[A-Z2-7]{56}$/.test(jetstreamNkeySeed)) {
    problems.push('NATS_JETSTREAM_NKEY_SEED must be a user nkey seed (SU followed by 56 base32 characters)');
  }
  const tls = readTls(env, problems);
  const signingKey = env.COMMAND_SIGNING_KEY ?? '';
  if (!BASE64URL_32_BYTES.test(signingKey)) {
    problems.push('COMMAND_SIGNING_KEY is required: a base64url Ed25519 private key (43 characters)');
  }
  const signers = parseSigners(env.COMMAND_SIGNERS, problems);
  const commandTokenTtlMs = Number(env.COMMAND_TOKEN_TTL_MS ?? 30_000);
  if (!Number.isInteger(commandTokenTtlMs) || commandTokenTtlMs < 1000 || commandTokenTtlMs > 600_000) {
    problems.push('COMMAND_TOKEN_TTL_MS must be an integer from 1000 to 600000 (milliseconds)');
  }
  if (problems.length) throw new ConfigurationError(problems);
  return {
    identity,
    kind: kind!,
    nkeySeed,
    ...(jetstreamNkeySeed ? { jetstreamNkeySeed } : {}),
    ...(tls ? { tls } : {}),
    signingKey,
    signers,
    commandTokenTtlMs,
  };
}

/** `COMMAND_SIGNERS=gateway:<key>,orders:<key>,agent:<key>`: who may sign commands, and their public keys. */
export function parseSigners(value: string | undefined, problems: string[]): Record<string, string> {
  const signers: Record<string, string> = {};
  if (!value) {
    problems.push('COMMAND_SIGNERS is required: identity:publicKey pairs separated by commas');
    return signers;
  }
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const [identity, key, ...rest] = entry.split(':');
      if (rest.length || !identity || !key)
        problems.push(`COMMAND_SIGNERS entry ${index + 1} must be 'identity:publicKey'`);
      else if (!identityKind(identity)) {
        problems.push(
          `COMMAND_SIGNERS entry ${index + 1}: '${identity}' must be a service name, optionally with -<name>`,
        );
      } else if (!BASE64URL_32_BYTES.test(key)) {
        problems.push(
          `COMMAND_SIGNERS entry ${index + 1}: the key of '${identity}' must be a base64url Ed25519 public key`,
        );
      } else signers[identity] = key;
    });
  return signers;
}

function readTls(env: NodeJS.ProcessEnv, problems: string[]): BusTlsSettings | undefined {
  const caFile = env.NATS_TLS_CA_FILE;
  const certFile = env.NATS_TLS_CERT_FILE;
  const keyFile = env.NATS_TLS_KEY_FILE;
  if (!caFile) {
    if (certFile || keyFile) problems.push('NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE need NATS_TLS_CA_FILE');
    return undefined;
  }
  if (!!certFile !== !!keyFile)
    problems.push('NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together (client certificate)');
  for (const [name, file] of [
    ['NATS_TLS_CA_FILE', caFile],
    ['NATS_TLS_CERT_FILE', certFile],
    ['NATS_TLS_KEY_FILE', keyFile],
  ] as const) {
    if (file && !existsSync(file))
      problems.push(`${name} must name a readable file (${file} does not exist)`);
  }
  return { caFile, ...(certFile && keyFile ? { certFile, keyFile } : {}) };
}

/** AGENT_STREAM_WAIT_MS: how long an agent started before `orders` waits for the order streams (ADR 0010). */
export function readAgentStreamWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.AGENT_STREAM_WAIT_MS ?? 60_000);
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigurationError(['AGENT_STREAM_WAIT_MS must be a non-negative integer (milliseconds)']);
  }
  return value;
}
