import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AccessTokenError, type AccessTokenVerifier } from '@chatbot/auth';
import type { ApiKeyScope, Role } from '@chatbot/proto';
import type { ApiKeyLookup } from './api-key.lookup';

/** The close code of a socket without a valid credential, at the upgrade or when its token expires (4000 + HTTP 401). */
export const UNAUTHORIZED_CLOSE = 4401;

/**
 * The bearer-in-subprotocol convention: a browser cannot set headers on a WebSocket, so it offers
 * `bearer.<access token>` beside `chat.v1` or `chat.v2`. The gateway selects the chat protocol,
 * never this entry, so the token is not echoed back.
 */
export const BEARER_SUBPROTOCOL = 'bearer.';

/** Who opened a socket, as its credential says; checked once, at the upgrade. */
export interface SocketCaller {
  accountId: string;
  role: Role;
  via: 'token' | 'api-key';
  /** When the credential stops being accepted (epoch ms): the token's or the API key's expiry. */
  expiresAtMs: number | null;
  /** API keys only: what the key may do. */
  scopes?: ApiKeyScope[];
  /** API keys only: the key itself, kept to ask persona again whether it was revoked (never logged). */
  apiKey?: string;
}

/** `caller: null`: an anonymous socket, where the path and AUTH_REQUIRED allow one. */
export type UpgradeCheck = { ok: true; caller: SocketCaller | null } | { ok: false; reason: string };

export interface SocketCallerDeps {
  /** null when no key is configured: accounts are off. */
  verifier: AccessTokenVerifier | null;
  apiKeys: ApiKeyLookup;
  /** The skew the verifier tolerates past `exp`; the socket's deadline allows the same. */
  clockToleranceSeconds: number;
}

type Credential = { kind: 'token'; token: string } | { kind: 'apiKey'; key: string };

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;
/** A JWT is base64url parts joined by dots: also a valid subprotocol token. */
const SUBPROTOCOL_TOKEN = /^[A-Za-z0-9._~-]+$/;

/**
 * The credential of an upgrade: an access token in `Authorization: Bearer`, a `bearer.<token>`
 * subprotocol or `?token=` (as seed 001 sends it), or an `X-API-Key` with the `chat` scope.
 * Verified locally for tokens (no bus round trip), by persona (cached) for API keys. More than one
 * credential is refused (RFC 6750 §2: one method per request). Never logged.
 */
export async function checkSocketCaller(deps: SocketCallerDeps, req: IncomingMessage, query: URLSearchParams, required: boolean): Promise<UpgradeCheck> {
  const offered = credentialsOf(req, query);
  if (offered.length === 0) return required ? refuse(deps.verifier ? 'authentication required' : 'accounts are not configured') : { ok: true, caller: null };
  if (!deps.verifier) return refuse('accounts are not configured');
  if (offered.length > 1) return refuse('more than one credential');
  const [credential] = offered;
  return credential.kind === 'token' ? fromToken(deps, deps.verifier, credential.token) : fromApiKey(deps.apiKeys, credential.key);
}

function credentialsOf(req: IncomingMessage, query: URLSearchParams): Credential[] {
  const found: Credential[] = [];
  const header = req.headers.authorization;
  const bearer = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
  if (bearer) found.push({ kind: 'token', token: bearer });
  const inProtocol = subprotocolToken(req.headers['sec-websocket-protocol']);
  if (inProtocol) found.push({ kind: 'token', token: inProtocol });
  const inQuery = query.get('token');
  if (inQuery) found.push({ kind: 'token', token: inQuery });
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) found.push({ kind: 'apiKey', key: apiKey });
  return found;
}

function subprotocolToken(header: string | undefined): string | undefined {
  const entry = header?.split(',').map((item) => item.trim()).find((item) => item.startsWith(BEARER_SUBPROTOCOL));
  const token = entry?.slice(BEARER_SUBPROTOCOL.length);
  return token && SUBPROTOCOL_TOKEN.test(token) ? token : undefined;
}

async function fromToken(deps: SocketCallerDeps, verifier: AccessTokenVerifier, token: string): Promise<UpgradeCheck> {
  try {
    const { accountId, role, expiresAt } = await verifier.verifyAccessToken(token);
    return { ok: true, caller: { accountId, role, via: 'token', expiresAtMs: (expiresAt + deps.clockToleranceSeconds) * 1000 } };
  } catch (error) {
    if (error instanceof AccessTokenError) return refuse(error.reason === 'expired' ? 'token expired' : 'token invalid');
    throw error;
  }
}

async function fromApiKey(apiKeys: ApiKeyLookup, key: string): Promise<UpgradeCheck> {
  const found = await apiKeys.verify(key, randomUUID());
  if (!found) return refuse('API key invalid');
  if (!found.scopes.includes('chat')) return refuse('API key without the chat scope');
  return { ok: true, caller: { accountId: found.account_id, role: found.role, via: 'api-key', expiresAtMs: Date.parse(found.expires_at), scopes: found.scopes, apiKey: key } };
}

const refuse = (reason: string): UpgradeCheck => ({ ok: false, reason });
