import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AccessTokenVerifier } from '@chatbot/auth';
import type { ApiKeyScope, Role } from '@chatbot/proto';
import type { ApiKeyLookup } from '../auth/api-key.lookup';
import { checkUpgradeToken } from './ws.token';

/** Who holds a socket: an account by its access token or one of its API keys; null = anonymous. */
export interface SocketCaller {
  accountId: string;
  role: Role;
  via: 'token' | 'api-key';
  /** API keys only. */
  scopes?: ApiKeyScope[];
}

export type CallerCheck = { ok: true; caller: SocketCaller | null } | { ok: false; reason: string };

export interface CallerCheckDeps {
  verifier: AccessTokenVerifier | null;
  apiKeys: ApiKeyLookup;
}

/** Whether the upgrade carries a credential: an access token (`?token=`, `Authorization`) or `X-API-Key`. */
export function presentsCredentials(req: IncomingMessage, query: URLSearchParams): boolean {
  return query.has('token') || req.headers.authorization !== undefined || req.headers['x-api-key'] !== undefined;
}

/**
 * The caller of an upgrade. An access token is checked like the REST API's bearer tokens; an
 * `X-API-Key` (for server-side clients: a browser cannot set it) is asked of persona and must carry
 * the `chat` scope. A credential that fails is refused, never taken as anonymous: the client meant
 * to be someone. Without any credential the caller is anonymous, unless `required`.
 */
export async function checkUpgradeCaller(deps: CallerCheckDeps, req: IncomingMessage, query: URLSearchParams, required: boolean): Promise<CallerCheck> {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && !query.has('token') && req.headers.authorization === undefined) return fromApiKey(deps.apiKeys, apiKey);
  if (!required && !presentsCredentials(req, query)) return { ok: true, caller: null };
  const check = await checkUpgradeToken(deps.verifier, req, query);
  if (!check.ok) return check;
  return { ok: true, caller: { accountId: check.accountId, role: check.role, via: 'token' } };
}

async function fromApiKey(apiKeys: ApiKeyLookup, key: string): Promise<CallerCheck> {
  const found = await apiKeys.verify(key, randomUUID());
  if (!found) return { ok: false, reason: 'api key invalid' };
  if (!found.scopes.includes('chat')) return { ok: false, reason: 'api key has no chat scope' };
  return { ok: true, caller: { accountId: found.account_id, role: found.role, via: 'api-key', scopes: found.scopes } };
}
