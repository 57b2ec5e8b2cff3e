import { type KeyObject, sign, verify } from 'node:crypto';

/**
 * Compact JWS with EdDSA (Ed25519), RFC 7515 / RFC 8037, on node:crypto's one-shot sign and
 * verify (ADR 0045). `jose` did the same work through the promisified, thread-pool variants of
 * those calls plus its generic checks: three to four times the CPU per token and a thread-pool
 * round trip for a 50 µs computation, four times per order. The tokens are the same bytes
 * `jose`'s SignJWT made (header `{"alg":"EdDSA","kid":…}`), and each accepts the other's, so
 * services of both versions keep talking during a rolling upgrade.
 */

/** Why a compact JWS was refused: `expired` is told apart, everything else is `invalid`. */
export class JwsRefusedError extends Error {
  override readonly name = 'JwsRefusedError';
  constructor(
    readonly reason: 'malformed' | 'signature' | 'claims' | 'expired',
    message: string,
  ) {
    super(message);
  }
}

const encodedHeaders = new Map<string, string>();

/** The protected header of a signer, encoded once: it never changes for a key id. */
function encodedHeader(kid: string): string {
  let header = encodedHeaders.get(kid);
  if (header === undefined) {
    header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid })).toString('base64url');
    if (encodedHeaders.size < 64) encodedHeaders.set(kid, header);
  }
  return header;
}

/** A compact JWS of `claims` (serialised in their key order) under header `{alg: EdDSA, kid}`. */
export function signCompactJws(kid: string, privateKey: KeyObject, claims: object): string {
  const input = `${encodedHeader(kid)}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  // Ed25519 takes no digest: `null` is the algorithm the key implies.
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}

/** True for `{...}` JSON objects, as RFC 7515 requires of a header and RFC 7519 of claims. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function verifies(input: string, signature: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(input), publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    // OpenSSL's refusal of a signature of the wrong length, say: not a valid signature either.
    return false;
  }
}

/** The `kid` of a compact JWS's header, read without verifying anything (to pick the key). */
export function compactJwsKeyId(token: string): string | undefined {
  const dot = token.indexOf('.');
  const header = dot > 0 ? decodeJson(token.slice(0, dot)) : undefined;
  if (!isPlainObject(header)) throw new JwsRefusedError('malformed', 'the token has no JSON header');
  return typeof header.kid === 'string' ? header.kid : undefined;
}

/**
 * Verifies an EdDSA compact JWS under `publicKey` and returns its claims, checked as `jose`'s
 * jwtVerify checked them: only `alg: EdDSA`, no `crit` extension (nor `b64`), `iss` equal to
 * `issuer`, `exp`, `iat` and `jti` present, numeric dates, `exp` and `nbf` within `toleranceS`
 * of `nowS`.
 */
export function verifyCompactJws(
  token: string,
  publicKey: KeyObject,
  expect: { issuer: string; nowS: number; toleranceS: number },
): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwsRefusedError('malformed', 'a compact JWS has three parts');
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = decodeJson(headerPart);
  if (!isPlainObject(header) || header.alg !== 'EdDSA' || 'crit' in header || 'b64' in header) {
    throw new JwsRefusedError('malformed', 'the header is not a plain EdDSA header');
  }
  if (
    publicKey.asymmetricKeyType !== 'ed25519' ||
    !verifies(`${headerPart}.${payloadPart}`, signaturePart, publicKey)
  ) {
    throw new JwsRefusedError('signature', 'the signature does not verify');
  }
  const claims = decodeJson(payloadPart);
  if (!isPlainObject(claims)) throw new JwsRefusedError('claims', 'the claims are not a JSON object');
  const { exp, iat, nbf } = claims;
  if (claims.iss !== expect.issuer || typeof claims.jti !== 'string' || claims.jti === '') {
    throw new JwsRefusedError('claims', 'unexpected issuer or token id');
  }
  if (typeof iat !== 'number' || typeof exp !== 'number' || (nbf !== undefined && typeof nbf !== 'number')) {
    throw new JwsRefusedError('claims', 'the dates are not numbers');
  }
  if (nbf !== undefined && nbf > expect.nowS + expect.toleranceS) {
    throw new JwsRefusedError('claims', 'the token is not valid yet');
  }
  if (exp <= expect.nowS - expect.toleranceS) throw new JwsRefusedError('expired', 'the token has expired');
  return claims;
}
