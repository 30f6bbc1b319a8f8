import type { IncomingMessage } from 'node:http';
import { AccessTokenError, type AccessTokenVerifier } from '@chatbot/auth';
import type { Role } from '@chatbot/proto';

/** The close code a socket that needs an access token gets without a valid one (4000 + HTTP 401). */
export const UNAUTHORIZED_CLOSE = 4401;

export type TokenCheck = { ok: true; accountId: string; role: Role } | { ok: false; reason: string };

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * The access token of an upgrade: `?token=` as seed 001 sends it, or `Authorization: Bearer`.
 * Verified locally as the REST caller middleware does; the token itself is never logged.
 */
export async function checkUpgradeToken(verifier: AccessTokenVerifier | null, req: IncomingMessage, query: URLSearchParams): Promise<TokenCheck> {
  if (!verifier) return { ok: false, reason: 'accounts are not configured' };
  const header = req.headers.authorization;
  const token = query.get('token') ?? (typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined);
  if (!token) return { ok: false, reason: 'authentication required' };
  try {
    const { accountId, role } = await verifier.verifyAccessToken(token);
    return { ok: true, accountId, role };
  } catch (error) {
    if (error instanceof AccessTokenError) return { ok: false, reason: error.reason === 'expired' ? 'token expired' : 'token invalid' };
    throw error;
  }
}
