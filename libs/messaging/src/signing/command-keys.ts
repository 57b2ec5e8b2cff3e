import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';

/** PKCS#8 prefix of an Ed25519 private key: the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A service's signing key, and the public keys of every identity whose commands it accepts. */
export interface CommandKeys {
  /** Who signs with `privateKey` (`gateway`, `agent-emea`, ...). */
  identity: string;
  privateKey: KeyObject;
  /** identity -> public key. */
  trusted: ReadonlyMap<string, KeyObject>;
}

/** An Ed25519 key pair as the configuration carries it: base64url private seed and public key. */
export interface EncodedKeyPair {
  privateKey: string;
  publicKey: string;
}

/** A new Ed25519 key pair for COMMAND_SIGNING_KEY and COMMAND_SIGNERS. */
export function generateCommandKeyPair(): EncodedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return { privateKey: jwk.d!, publicKey: publicKey.export({ format: 'jwk' }).x! };
}

export function privateKeyFromSeed(seed: string): KeyObject {
  const bytes = Buffer.from(seed, 'base64url');
  if (bytes.length !== 32) throw new Error('an Ed25519 private key has 32 bytes');
  return createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function publicKeyFromEncoded(x: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

/** The public key of an encoded private key (what goes into COMMAND_SIGNERS). */
export function publicKeyOf(seed: string): string {
  return createPublicKey(privateKeyFromSeed(seed)).export({ format: 'jwk' }).x!;
}

/** Builds the keys from the configuration (`readBusSettings`). */
export function commandKeys(
  identity: string,
  signingKey: string,
  signers: Record<string, string>,
): CommandKeys {
  const trusted = new Map<string, KeyObject>();
  for (const [signer, key] of Object.entries(signers)) trusted.set(signer, publicKeyFromEncoded(key));
  return { identity, privateKey: privateKeyFromSeed(signingKey), trusted };
}
