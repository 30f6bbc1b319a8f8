import { z } from 'zod';
import { positiveInt } from '@chatbot/runtime';

/**
 * The access-token variables persona (which signs) and the gateway (which verifies) share.
 * With no key at all, accounts are off: the auth endpoints answer E5007 and nothing else changes.
 */
export const accessTokenEnv = {
  /** The one algorithm tokens are signed and accepted with (pinned: `none` and others are refused). */
  JWT_ALG: z.enum(['HS256', 'EdDSA', 'RS256']).default('HS256'),
  /** HS256: the shared secret, at least 32 characters (256 bits when random). */
  JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** EdDSA/RS256, signer only: the private key as PKCS#8 PEM (`\n` escapes allowed). */
  JWT_PRIVATE_KEY: z.string().optional(),
  /** EdDSA/RS256, verifier only: the public key as SPKI PEM (the signer derives it from its private key). */
  JWT_PUBLIC_KEY: z.string().optional(),
  /** `kid` of the current key, so a rotation can keep accepting the previous one. */
  JWT_KID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - only').default('k1'),
  /** Keys no longer signing but still accepted while their tokens live: a JWKS `{"keys":[…]}`, each with `kid`. */
  JWT_PREVIOUS_KEYS: z.string().optional(),
  JWT_ISSUER: z.string().min(1).default('chatbot-platform'),
  JWT_AUDIENCE: z.string().min(1).default('chatbot-platform'),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt(900),
  /** Clock skew tolerated between the signer and the verifier for exp and nbf. */
  JWT_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
};

const object = z.object(accessTokenEnv);
export type AccessTokenConfig = z.infer<typeof object>;
