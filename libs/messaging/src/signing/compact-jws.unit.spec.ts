import { generateKeyPairSync, sign } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { compactJwsKeyId, JwsRefusedError, signCompactJws, verifyCompactJws } from './compact-jws';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const NOW = 1_800_000_000;
const claims = {
  subj: 'prov.cmd.review.approve',
  dig: 'd',
  act: 'alice',
  iss: 'gateway',
  jti: 'j-1',
  iat: NOW,
  exp: NOW + 30,
};
const expectGateway = { issuer: 'gateway', nowS: NOW, toleranceS: 5 };

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token with any header and claims, correctly signed: only the checks can refuse it. */
function signedWith(header: unknown, body: unknown = claims): string {
  const input = `${b64(header)}.${b64(body)}`;
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}

function reasonOf(token: string, expect = expectGateway): string | undefined {
  try {
    verifyCompactJws(token, publicKey, expect);
    return undefined;
  } catch (error) {
    return error instanceof JwsRefusedError ? error.reason : String(error);
  }
}

describe('compact JWS (EdDSA) on node:crypto', () => {
  it('writes the token jose wrote, and jose verifies it with the checks the engine used', async () => {
    const token = signCompactJws('gateway', privateKey, claims);
    const byJose = await new SignJWT({ subj: claims.subj, dig: claims.dig, act: claims.act })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'gateway' })
      .setIssuer('gateway')
      .setJti('j-1')
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 30)
      .sign(privateKey);
    // Ed25519 signatures are deterministic: the same key and input give the same bytes.
    expect(token).toBe(byJose);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: 'gateway' });
    const verified = await jwtVerify(token, publicKey, {
      algorithms: ['EdDSA'],
      issuer: 'gateway',
      requiredClaims: ['exp', 'jti', 'iat'],
      currentDate: new Date(NOW * 1000),
    });
    expect(verified.payload).toEqual(claims);
  });

  it("accepts jose's tokens, so that services of both versions talk during an upgrade", async () => {
    const byJose = await new SignJWT({ subj: 's' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'gateway' })
      .setIssuer('gateway')
      .setJti('j-2')
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 30)
      .sign(privateKey);
    expect(compactJwsKeyId(byJose)).toBe('gateway');
    expect(verifyCompactJws(byJose, publicKey, expectGateway)).toMatchObject({ subj: 's', jti: 'j-2' });
  });

  it('refuses another key, a changed byte, and algorithms or extensions other than plain EdDSA', () => {
    const token = signCompactJws('gateway', privateKey, claims);
    expect(() => verifyCompactJws(token, other.publicKey, expectGateway)).toThrow(JwsRefusedError);
    const [header, payload, signature] = token.split('.');
    const changed = b64({ ...claims, act: 'mallory' });
    expect(reasonOf(`${header}.${changed}.${signature}`)).toBe('signature');
    expect(reasonOf(`${header}.${payload}.${signature.slice(0, -4)}`)).toBe('signature');
    expect(reasonOf(`${header}.${payload}.`)).toBe('signature');
    expect(reasonOf(`${b64({ alg: 'none', kid: 'gateway' })}.${payload}.`)).toBe('malformed');
    expect(reasonOf(signedWith({ alg: 'HS256', kid: 'gateway' }))).toBe('malformed');
    expect(reasonOf(signedWith({ alg: 'EdDSA', kid: 'gateway', crit: ['exp'] }))).toBe('malformed');
    expect(reasonOf(signedWith({ alg: 'EdDSA', kid: 'gateway', b64: false }))).toBe('malformed');
    expect(reasonOf(signedWith(['EdDSA']))).toBe('malformed');
    expect(reasonOf(`${token}.extra`)).toBe('malformed');
    expect(() => compactJwsKeyId('not-a-token')).toThrow(JwsRefusedError);
  });

  it('checks the issuer, the token id and the dates as jwtVerify did, with the tolerance', () => {
    const header = { alg: 'EdDSA', kid: 'gateway' };
    expect(reasonOf(signedWith(header, { ...claims, iss: 'agent' }))).toBe('claims');
    expect(reasonOf(signedWith(header, { ...claims, jti: undefined }))).toBe('claims');
    expect(reasonOf(signedWith(header, { ...claims, iat: undefined }))).toBe('claims');
    expect(reasonOf(signedWith(header, { ...claims, exp: String(NOW + 30) }))).toBe('claims');
    expect(reasonOf(signedWith(header, { ...claims, nbf: NOW + 6 }))).toBe('claims');
    expect(reasonOf(signedWith(header, { ...claims, nbf: NOW + 5 }))).toBeUndefined();
    expect(reasonOf(signedWith(header, [claims]))).toBe('claims');
    expect(reasonOf(signedWith(header, { ...claims, exp: NOW - 5 }))).toBe('expired');
    expect(reasonOf(signedWith(header, { ...claims, exp: NOW - 4 }))).toBeUndefined();
  });
});
