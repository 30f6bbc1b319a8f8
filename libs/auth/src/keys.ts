import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { AccessTokenConfig } from './config';

export type Algorithm = AccessTokenConfig['JWT_ALG'];

export interface SigningKey {
  alg: Algorithm;
  kid: string;
  key: KeyObject;
}

/** Verification keys by `kid`: the current one and the previous ones of a rotation. */
export interface VerificationKeys {
  alg: Algorithm;
  byKid: Map<string, KeyObject>;
}

/** Raised at start-up for a key that does not fit the pinned algorithm. */
export class KeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyConfigError';
  }
}

const pem = (text: string) => text.replaceAll('\\n', '\n');

/** The key persona signs with, or null when accounts are not configured. */
export function signingKey(config: AccessTokenConfig): SigningKey | null {
  if (config.JWT_ALG === 'HS256') {
    return config.JWT_SECRET ? { alg: 'HS256', kid: config.JWT_KID, key: createSecretKey(Buffer.from(config.JWT_SECRET)) } : null;
  }
  if (!config.JWT_PRIVATE_KEY) return null;
  const key = createPrivateKey(pem(config.JWT_PRIVATE_KEY));
  checkFits(config.JWT_ALG, key, 'JWT_PRIVATE_KEY');
  return { alg: config.JWT_ALG, kid: config.JWT_KID, key };
}

/** The keys a verifier accepts, or null when accounts are not configured. */
export function verificationKeys(config: AccessTokenConfig): VerificationKeys | null {
  const current = currentVerificationKey(config);
  if (!current) return null;
  const byKid = new Map<string, KeyObject>([[config.JWT_KID, current]]);
  for (const { kid, key } of previousKeys(config)) {
    if (byKid.has(kid)) throw new KeyConfigError(`JWT_PREVIOUS_KEYS: kid ${kid} is used twice`);
    byKid.set(kid, key);
  }
  return { alg: config.JWT_ALG, byKid };
}

function currentVerificationKey(config: AccessTokenConfig): KeyObject | null {
  if (config.JWT_ALG === 'HS256') return config.JWT_SECRET ? createSecretKey(Buffer.from(config.JWT_SECRET)) : null;
  const key = config.JWT_PUBLIC_KEY
    ? createPublicKey(pem(config.JWT_PUBLIC_KEY))
    : config.JWT_PRIVATE_KEY
      ? createPublicKey(createPrivateKey(pem(config.JWT_PRIVATE_KEY)))
      : null;
  if (key) checkFits(config.JWT_ALG, key, 'JWT_PUBLIC_KEY');
  return key;
}

interface Jwk {
  kid?: unknown;
  kty?: unknown;
  k?: unknown;
}

function previousKeys(config: AccessTokenConfig): { kid: string; key: KeyObject }[] {
  if (!config.JWT_PREVIOUS_KEYS) return [];
  let keys: Jwk[];
  try {
    keys = (JSON.parse(config.JWT_PREVIOUS_KEYS) as { keys: Jwk[] }).keys;
    if (!Array.isArray(keys)) throw new Error('no keys array');
  } catch (error) {
    throw new KeyConfigError(`JWT_PREVIOUS_KEYS: not a JWKS ({"keys":[…]}): ${(error as Error).message}`);
  }
  return keys.map((jwk) => {
    if (typeof jwk.kid !== 'string') throw new KeyConfigError('JWT_PREVIOUS_KEYS: every key needs a kid');
    const key = config.JWT_ALG === 'HS256' ? secretFromJwk(jwk) : createPublicKey({ key: jwk as never, format: 'jwk' });
    if (config.JWT_ALG !== 'HS256') checkFits(config.JWT_ALG, key, `JWT_PREVIOUS_KEYS ${jwk.kid}`);
    return { kid: jwk.kid, key };
  });
}

function secretFromJwk(jwk: Jwk): KeyObject {
  if (jwk.kty !== 'oct' || typeof jwk.k !== 'string') throw new KeyConfigError('JWT_PREVIOUS_KEYS: HS256 keys are {"kty":"oct","k":…}');
  const secret = Buffer.from(jwk.k, 'base64url');
  if (secret.length < 32) throw new KeyConfigError(`JWT_PREVIOUS_KEYS ${String(jwk.kid)}: at least 32 bytes`);
  return createSecretKey(secret);
}

/** Algorithm confusion starts with a key of the wrong type: refuse it at start-up. */
function checkFits(alg: Algorithm, key: KeyObject, name: string): void {
  const type = key.asymmetricKeyType;
  if (alg === 'EdDSA' && type !== 'ed25519') throw new KeyConfigError(`${name}: EdDSA needs an Ed25519 key, got ${type}`);
  if (alg === 'RS256') {
    if (type !== 'rsa') throw new KeyConfigError(`${name}: RS256 needs an RSA key, got ${type}`);
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw new KeyConfigError(`${name}: RSA keys need at least 2048 bits, got ${bits}`);
  }
}
