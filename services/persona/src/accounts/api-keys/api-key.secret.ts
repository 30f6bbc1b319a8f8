import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * `cbk_<prefix>_<secret>`: the prefix (8 base64url characters) is public and finds the row; the
 * whole key is stored only as its SHA-256 (a 256-bit random secret needs no slow hash).
 */
const FORMAT = /^cbk_([A-Za-z0-9_-]{8})_([A-Za-z0-9_-]{43})$/;

export function newApiKey(): { key: string; prefix: string; secretHash: string } {
  const prefix = randomBytes(6).toString('base64url');
  const key = `cbk_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, secretHash: hashKey(key) };
}

/** The prefix of a well-formed key, or null. */
export const prefixOf = (key: string): string | null => FORMAT.exec(key)?.[1] ?? null;

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** Constant-time comparison of the presented key's hash with the stored one. */
export function matches(key: string, secretHash: string): boolean {
  const presented = Buffer.from(hashKey(key), 'hex');
  const stored = Buffer.from(secretHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
