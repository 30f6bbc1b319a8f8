import type { Request, RequestHandler, Response } from 'express';
import { AccessTokenError, type AccessTokenVerifier, type Caller as VerifiedToken } from '@chatbot/auth';
import type { ApiKeyScope, Role } from '@chatbot/proto';
import { AppError, type Logger } from '@chatbot/runtime';
import type { ApiKeyLookup } from './api-key.lookup';

/** Who is calling: an account through its access token, or through one of its API keys. */
export interface Caller {
  accountId: string;
  role: Role;
  via: 'token' | 'api-key';
  /** API keys only: what the key may be used for. */
  scopes?: ApiKeyScope[];
}

export interface CallerDeps {
  /** null when no key is configured: accounts are off (E5007). */
  verifier: AccessTokenVerifier | null;
  apiKeys: ApiKeyLookup;
  logger: Logger;
}

/** What a route needs of its caller. */
export interface Requirement {
  /** Roles allowed (any when absent). */
  roles?: Role[];
  /** The scope an API key must carry; absent = API keys are refused on this route. */
  scope?: ApiKeyScope;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

export const callerOf = (res: Response): Caller => res.locals.caller as Caller;

/**
 * Sets `res.locals.caller` from `Authorization: Bearer <jwt>` (verified here, no bus round trip) or
 * `X-API-Key` (asked of persona, then cached briefly), or answers 401/403. A refusal carries
 * `WWW-Authenticate` (RFC 6750) and never says more than the catalogue text.
 */
export function requireCaller(deps: CallerDeps, requirement: Requirement = {}): RequestHandler {
  return (req, res, next) => {
    identify(deps, req, res, requirement).then(
      (caller) => {
        res.locals.caller = caller;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/**
 * As requireCaller when the request brings a credential (a bad one is still 401); without one the
 * caller is anonymous (`res.locals.caller` null), for the seed routes that take both.
 */
export function optionalCaller(deps: CallerDeps, requirement: Requirement = {}): RequestHandler {
  return (req, res, next) => {
    if (req.headers.authorization === undefined && req.headers['x-api-key'] === undefined) {
      res.locals.caller = null;
      return next();
    }
    requireCaller(deps, requirement)(req, res, next);
  };
}

async function identify(deps: CallerDeps, req: Request, res: Response, requirement: Requirement): Promise<Caller> {
  if (!deps.verifier) throw new AppError('E5007');
  const header = req.headers.authorization;
  const apiKey = req.headers['x-api-key'];
  let caller: Caller;
  if (typeof header === 'string') caller = await fromBearer(deps.verifier, header, res);
  else if (typeof apiKey === 'string') {
    if (!requirement.scope) throw new AppError('E4013', 'API keys are not accepted here');
    caller = await fromApiKey(deps, apiKey, res, requirement.scope);
  } else throw refuse(res, 'E4012', 'invalid_request');
  if (requirement.roles && !requirement.roles.includes(caller.role)) throw new AppError('E4013');
  return caller;
}

/**
 * A bearer token an earlier step of this request verified (the REST rate limit does), kept so the
 * route does not verify it again. Only successes are kept: a refusal is the route's to word.
 */
export function rememberVerified(res: Response, token: string, verified: VerifiedToken): void {
  res.locals.verifiedBearer = { token, verified };
}

async function verifiedOnce(verifier: AccessTokenVerifier, token: string, res: Response): Promise<VerifiedToken> {
  const earlier = res.locals.verifiedBearer as { token: string; verified: VerifiedToken } | undefined;
  return earlier?.token === token ? earlier.verified : verifier.verifyAccessToken(token);
}

async function fromBearer(verifier: AccessTokenVerifier, header: string, res: Response): Promise<Caller> {
  const token = BEARER.exec(header)?.[1];
  if (!token) throw refuse(res, 'E4012', 'invalid_request');
  try {
    const { accountId, role } = await verifiedOnce(verifier, token, res);
    return { accountId, role, via: 'token' };
  } catch (error) {
    if (error instanceof AccessTokenError) throw refuse(res, 'E4012', 'invalid_token', error.reason === 'expired' ? 'expired' : undefined);
    throw error;
  }
}

async function fromApiKey(deps: CallerDeps, key: string, res: Response, scope: ApiKeyScope): Promise<Caller> {
  const found = await deps.apiKeys.verify(key, res.locals.correlationId as string);
  if (!found) throw refuse(res, 'E4012', 'invalid_token');
  if (!found.scopes.includes(scope)) throw new AppError('E4013', `this API key has no ${scope} scope`);
  return { accountId: found.account_id, role: found.role, via: 'api-key', scopes: found.scopes };
}

function refuse(res: Response, code: 'E4012', error: string, description?: string): AppError {
  const detail = description ? `, error_description="token ${description}"` : '';
  res.setHeader('WWW-Authenticate', `Bearer realm="chatbot-platform", error="${error}"${detail}`);
  return new AppError(code);
}
