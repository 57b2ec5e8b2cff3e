import { hashApiToken } from '@prov/config';

type Headers = { headers: Record<string, string | string[] | undefined> };

/** The request's `Authorization: Bearer <token>`, if it has one. */
export function bearerToken(request: Headers): string | undefined {
  const header = request.headers['authorization'];
  return /^Bearer\s+(\S+)$/i.exec((Array.isArray(header) ? header[0] : header) ?? '')?.[1];
}

const digests = new WeakMap<object, { token: string; sha256: string }>();

/**
 * The SHA-256 (hex) of a token the request presents, computed once per request: the write
 * limit counts by it before the token guard looks the caller up by it (ADR 0053). Kept beside
 * the request only, and only as the digest the token table holds anyway.
 */
export function tokenDigest(request: object, token: string): string {
  const known = digests.get(request);
  if (known?.token === token) return known.sha256;
  const sha256 = hashApiToken(token);
  digests.set(request, { token, sha256 });
  return sha256;
}
