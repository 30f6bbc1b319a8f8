import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

export interface Argon2Parameters {
  memoryKib: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Whether the password matches the hash. With no hash (no such account) it still does the work of
   * one verification against a throw-away hash, so the answer time says nothing about the email.
   */
  verify(hash: string | null, password: string): Promise<boolean>;
  /** True when the hash was made with weaker parameters than today's: rehash at the next login. */
  needsRehash(hash: string): boolean;
}

/** argon2id (RFC 9106) through the `argon2` package; comparison is constant-time inside it. */
export async function createPasswordHasher(parameters: Argon2Parameters): Promise<PasswordHasher> {
  const options = {
    type: argon2.argon2id,
    memoryCost: parameters.memoryKib,
    timeCost: parameters.timeCost,
    parallelism: parameters.parallelism,
  } as const;
  const decoy = await argon2.hash(randomBytes(16).toString('base64url'), options);
  return {
    hash: (password) => argon2.hash(password, options),
    async verify(hash, password) {
      if (hash === null) {
        await argon2.verify(decoy, password);
        return false;
      }
      return argon2.verify(hash, password);
    },
    needsRehash: (hash) => argon2.needsRehash(hash, options),
  };
}
