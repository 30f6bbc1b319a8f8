import { randomUUID } from 'node:crypto';
import type { JWTHeaderParameters } from 'jose' with { 'resolution-mode': 'import' };
import { Role } from '@chatbot/proto';
import type { AccessTokenConfig } from './config';
import { loadJose } from './jose.loader';
import { signingKey, verificationKeys, type SigningKey, type VerificationKeys } from './keys';

/** RFC 9068's media type for access tokens: an id token or any other JWT of ours is not one. */
const TOKEN_TYPE = 'at+jwt';

/** Who made a request, as a verified access token says. */
export interface Caller {
  accountId: string;
  role: Role;
  /** Seconds since the epoch when the token stops being accepted. */
  expiresAt: number;
}

/** Why a token was refused; the reason goes to logs and metrics, the client only sees 401. */
export class AccessTokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid', options?: { cause?: unknown }) {
    super(reason === 'expired' ? 'access token expired' : 'access token invalid', options);
    this.name = 'AccessTokenError';
  }
}

export interface AccessTokenVerifier {
  verifyAccessToken(token: string): Promise<Caller>;
}

export interface AccessTokenSigner {
  /** Seconds an issued token lives (the OAuth `expires_in`). */
  ttlSeconds: number;
  signAccessToken(subject: { accountId: string; role: Role }): Promise<string>;
}

/** The gateway's local check: one pinned algorithm, keys by `kid`, issuer, audience, exp and nbf. */
export function createAccessTokenVerifier(config: AccessTokenConfig): AccessTokenVerifier | null {
  const keys = verificationKeys(config);
  return keys ? verifierFor(keys, config) : null;
}

function verifierFor(keys: VerificationKeys, config: AccessTokenConfig): AccessTokenVerifier {
  const options = {
    algorithms: [keys.alg],
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    typ: TOKEN_TYPE,
    clockTolerance: config.JWT_CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['sub', 'exp', 'iat', 'nbf'],
  };
  const keyOf = (header: JWTHeaderParameters) => {
    const key = header.kid === undefined ? undefined : keys.byKid.get(header.kid);
    if (!key) throw new Error(`no verification key for kid ${String(header.kid)}`);
    return key;
  };
  return {
    async verifyAccessToken(token) {
      const { jwtVerify, errors } = await loadJose();
      try {
        const { payload } = await jwtVerify(token, keyOf, options);
        const role = Role.safeParse(payload.role);
        if (!role.success || typeof payload.sub !== 'string') throw new Error('claims sub and role required');
        return { accountId: payload.sub, role: role.data, expiresAt: payload.exp! };
      } catch (error) {
        throw new AccessTokenError(error instanceof errors.JWTExpired ? 'expired' : 'invalid', { cause: error });
      }
    },
  };
}

/** Persona's side: signs with the current key and names it in `kid`. */
export function createAccessTokenSigner(config: AccessTokenConfig): AccessTokenSigner | null {
  const key = signingKey(config);
  return key ? signerFor(key, config) : null;
}

function signerFor(key: SigningKey, config: AccessTokenConfig): AccessTokenSigner {
  const ttlSeconds = config.ACCESS_TOKEN_TTL_SECONDS;
  return {
    ttlSeconds,
    async signAccessToken({ accountId, role }) {
      const { SignJWT } = await loadJose();
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ role })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: TOKEN_TYPE })
        .setSubject(accountId)
        .setIssuer(config.JWT_ISSUER)
        .setAudience(config.JWT_AUDIENCE)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + ttlSeconds)
        .setJti(randomUUID())
        .sign(key.key);
    },
  };
}
