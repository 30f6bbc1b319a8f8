import { Router, type Request, type Response } from 'express';
import { OidcCallbackQuery } from '@chatbot/proto';
import { RequestError } from '../http/error.mapper';
import { route, type Ask } from './auth.request';

/**
 * Sign-in with the configured OpenID provider. Persona speaks to the provider (it owns identity and
 * holds the client secret); the gateway only moves the browser and keeps persona's sealed
 * transaction (state, nonce, PKCE verifier) in an HttpOnly cookie scoped to these two paths.
 */
const COOKIE = 'oidc_tx';
const COOKIE_PATH = '/api/auth/oidc';
// Lax: the provider sends the browser back with a top-level GET from its own site
const COOKIE_ATTRIBUTES = `Path=${COOKIE_PATH}; HttpOnly; Secure; SameSite=Lax`;

export function oidcRoutes(ask: Ask, tokens: <T>(res: Response, body: T) => T): Router {
  const router = Router();
  router.get(`${COOKIE_PATH}/login`, async (_req, res) => {
    res.locals.route = 'auth.oidc.login';
    const started = await ask('accountOidcStart', {}, res);
    res.setHeader('Set-Cookie', `${COOKIE}=${started.transaction}; ${COOKIE_ATTRIBUTES}; Max-Age=600`);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, started.authorization_url);
  });
  router.get(`${COOKIE_PATH}/callback`, route('auth.oidc.callback', async (req, res) => {
    const transaction = cookieOf(req, COOKIE);
    // one attempt per transaction, whatever its outcome
    res.setHeader('Set-Cookie', `${COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`);
    const query = OidcCallbackQuery.safeParse(req.query);
    if (!transaction || !query.success) throw new RequestError(401, 'E4017', 'Sign-in with the identity provider failed');
    return tokens(res, await ask('accountOidcFinish', { transaction, state: query.data.state, code: query.data.code }, res));
  }));
  return router;
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || undefined;
  }
  return undefined;
}
