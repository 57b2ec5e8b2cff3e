import { createHash, randomUUID } from 'node:crypto';
import type { CommandKeys } from './command-keys';
import { compactJwsKeyId, JwsRefusedError, signCompactJws, verifyCompactJws } from './compact-jws';
import { type CommandSenders, mayIssue, PERSON_ACTOR_KINDS, signerKind } from './command-senders';

/** The NATS header that carries a command's signature (never the body: the body is what it signs). */
export const COMMAND_TOKEN_HEADER = 'Prov-Command-Token';

export const DEFAULT_COMMAND_TOKEN_TTL_MS = 30_000;

/** Clock difference between services that is still accepted. */
const CLOCK_TOLERANCE_S = 5;

/** The verified facts of a command: who signed it, for whom, and its one-time id. */
export interface VerifiedCommand {
  signer: string;
  actor: string;
  jti: string;
  expiresAt: number;
}

/** Why a command was refused; the message never contains the token. */
export class CommandRefusedError extends Error {
  override readonly name = 'CommandRefusedError';
  constructor(
    readonly reason: 'unsigned' | 'invalid' | 'expired' | 'replayed' | 'tampered' | 'forbidden',
    message: string,
  ) {
    super(message);
  }
}

/** SHA-256 of the body as it travels (JSON), base64url: binds the token to this exact body. */
export function bodyDigest(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body ?? {}))
    .digest('base64url');
}

/** The actor a command carries in its body (`actor`), if any. */
export function payloadActor(body: unknown): string | undefined {
  const actor = (body as { actor?: unknown } | null | undefined)?.actor;
  return typeof actor === 'string' ? actor : undefined;
}

/**
 * A short-lived JWS (EdDSA) over the subject, the body digest, the actor and an expiry. Signed
 * on the calling thread (ADR 0045): the token is ready when this returns.
 */
export function signCommand(
  keys: Pick<CommandKeys, 'identity' | 'privateKey'>,
  command: { subject: string; body: unknown; ttlMs?: number; now?: number },
): string {
  const now = Math.floor((command.now ?? Date.now()) / 1000);
  const ttl = Math.max(1, Math.round((command.ttlMs ?? DEFAULT_COMMAND_TOKEN_TTL_MS) / 1000));
  // The claims in the order jose's SignJWT wrote them: the same token format as before.
  return signCompactJws(keys.identity, keys.privateKey, {
    subj: command.subject,
    dig: bodyDigest(command.body),
    act: payloadActor(command.body) ?? keys.identity,
    iss: keys.identity,
    jti: randomUUID(),
    iat: now,
    exp: now + ttl,
  });
}

/** The signer a token names, or the refusal of a token that names none this service trusts. */
function trustedSigner(keys: Pick<CommandKeys, 'trusted'>, subject: string, token: string) {
  let kid: string | undefined;
  try {
    kid = compactJwsKeyId(token);
  } catch {
    throw new CommandRefusedError('invalid', `command ${subject} carries a malformed signature`);
  }
  const key = kid ? keys.trusted.get(kid) : undefined;
  if (!kid || !key)
    throw new CommandRefusedError('invalid', `command ${subject} is signed by an unknown signer '${kid}'`);
  return { kid, key };
}

/**
 * Checks a command's token: a signer this service trusts, a valid signature, not expired, for
 * this subject and this body, an actor the signer may speak for, and a command the signer's
 * kind may send. Replays are the caller's check (see {@link SeenTokens}). Throws
 * {@link CommandRefusedError}; verified on the calling thread (ADR 0045).
 */
export function verifyCommand(
  keys: Pick<CommandKeys, 'trusted'>,
  senders: CommandSenders,
  command: { subject: string; body: unknown; token: string | undefined; now?: number },
): VerifiedCommand {
  if (!command.token)
    throw new CommandRefusedError('unsigned', `command ${command.subject} carries no signature`);
  const { kid, key } = trustedSigner(keys, command.subject, command.token);
  let claims: Record<string, unknown>;
  try {
    claims = verifyCompactJws(command.token, key, {
      issuer: kid,
      nowS: Math.floor((command.now ?? Date.now()) / 1000),
      toleranceS: CLOCK_TOLERANCE_S,
    });
  } catch (error) {
    if (error instanceof JwsRefusedError && error.reason === 'expired')
      throw new CommandRefusedError('expired', `command ${command.subject} from ${kid} has expired`);
    throw new CommandRefusedError(
      'invalid',
      `command ${command.subject} has an invalid signature from ${kid}`,
    );
  }
  if (claims.subj !== command.subject || claims.dig !== bodyDigest(command.body)) {
    throw new CommandRefusedError('tampered', `command ${command.subject} does not match what ${kid} signed`);
  }
  const actor = String(claims.act);
  const bodyActor = payloadActor(command.body);
  if (bodyActor !== undefined && bodyActor !== actor) {
    throw new CommandRefusedError(
      'tampered',
      `command ${command.subject}: the actor differs from the signed one`,
    );
  }
  const kind = signerKind(kid);
  if (!PERSON_ACTOR_KINDS.includes(kind) && actor !== kid && actor !== kind) {
    throw new CommandRefusedError('forbidden', `${kid} may only act as itself, not as '${actor}'`);
  }
  if (!mayIssue(senders, kid, command.subject)) {
    throw new CommandRefusedError('forbidden', `${kid} may not send ${command.subject}`);
  }
  return {
    signer: kid,
    actor,
    jti: String(claims.jti),
    expiresAt: Number(claims.exp) * 1000 + CLOCK_TOLERANCE_S * 1000,
  };
}

/**
 * The token ids seen while they are valid: a replayed command (the same token again) is
 * refused. Per process: a replay that reaches another replica of the service is caught only by
 * the command's own idempotency (ADR 0010).
 */
export class SeenTokens {
  private readonly expiries = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  /** False when `jti` was seen before; otherwise remembers it until `expiresAt`. */
  firstSight(jti: string, expiresAt: number, now = Date.now()): boolean {
    if (this.expiries.size >= this.maxEntries / 2) this.forgetExpired(now);
    if (this.expiries.has(jti)) return false;
    if (this.expiries.size >= this.maxEntries) return false;
    this.expiries.set(jti, expiresAt);
    return true;
  }

  private forgetExpired(now: number): void {
    for (const [jti, expiresAt] of this.expiries) if (expiresAt < now) this.expiries.delete(jti);
  }
}
