import { Router, type Request, type Response } from 'express';
import type { Bus } from '@chatbot/bus';
import {
  ChangePasswordRequest,
  LogoutRequest,
  PasswordLoginRequest,
  ProfileUpdateRequest,
  RefreshRequest,
  RegisterRequest,
  RoleChangeRequest,
  type SignInResult,
} from '@chatbot/proto';
import type { BrokerLink } from '../broker.link';
import { clientAddress } from '../socket/client.address';
import { chatSummaryRoutes } from '../admin/chat-summary.routes';
import { chatbotSettingsRoutes } from '../admin/chatbot-settings.routes';
import { apiKeyRoutes } from './api-key.routes';
import { bodyOf, pathId, route, type Ask } from './auth.request';
import { callerOf, requireCaller, type CallerDeps } from './caller.middleware';
import { oidcRoutes } from './oidc.routes';
import { dashboardRoutes } from '../admin/dashboard.routes';

export interface AuthRouteDeps {
  bus: Bus;
  link: BrokerLink;
  requestTimeoutMs: number;
  /** How long `GET /api/admin/dashboard` collects the services' figures. */
  dashboardGatherMs: number;
  auth: CallerDeps & { trustedProxyHops: number };
}

/**
 * Accounts: `/api/auth/*` (with `/api/auth/oidc/*`), `/api/user/*`, `/api/admin/accounts/*`, `/api/admin/api-keys*`; persona answers.
 * With them, the routes that share their caller checks: chatbot settings and summaries (`../admin/`).
 */
export function authRouter(deps: AuthRouteDeps): Router {
  const router = Router();
  const { auth } = deps;
  const ask: Ask = (key, payload, res) => {
    deps.link.require();
    return deps.bus.request(key, payload, { timeoutMs: deps.requestTimeoutMs, correlationId: res.locals.correlationId as string });
  };
  const user = requireCaller(auth, { scope: 'chat' });
  const tokenOnly = requireCaller(auth);
  const admin = requireCaller(auth, { roles: ['admin'], scope: 'admin' });
  const address = (req: Request) => clientAddress(req, auth.trustedProxyHops);

  router.get('/api/auth/options', route('auth.options', (_req, res) => ask('accountOptions', {}, res)));
  router.post('/api/auth/register', route('auth.register', async (req, res) => {
    res.status(201);
    return ask('accountRegister', bodyOf(RegisterRequest, req), res);
  }));
  router.post('/api/auth/login', route('auth.login', async (req, res) => {
    return signedIn(res, await ask('accountLogin', { ...bodyOf(PasswordLoginRequest, req), address: address(req) }, res));
  }));
  router.post('/api/auth/refresh', route('auth.refresh', async (req, res) => tokens(res, await ask('accountRefresh', bodyOf(RefreshRequest, req), res))));
  router.post('/api/auth/logout', route('auth.logout', async (req, res) => {
    await ask('accountLogout', bodyOf(LogoutRequest, req), res);
    res.status(204);
    return undefined;
  }));
  router.get(['/api/auth/me', '/api/user/profile'], user, route('auth.me', (_req, res) => ask('accountGet', { account_id: callerOf(res).accountId }, res)));
  router.post('/api/auth/change-password', tokenOnly, route('auth.change-password', async (req, res) => {
    const body = bodyOf(ChangePasswordRequest, req);
    return signedIn(res, await ask('accountPassword', { ...body, account_id: callerOf(res).accountId, address: address(req) }, res));
  }));
  router.put('/api/user/profile', user, route('user.profile', (req, res) =>
    ask('accountProfile', { ...bodyOf(ProfileUpdateRequest, req), account_id: callerOf(res).accountId }, res)));
  router.post('/api/user/increment-usage', user, route('user.increment-usage', (_req, res) => ask('accountUsage', { account_id: callerOf(res).accountId }, res)));
  router.put('/api/admin/accounts/:id/role', admin, route('admin.role', (req, res) =>
    ask('accountRole', { actor_id: callerOf(res).accountId, account_id: pathId(req), role: bodyOf(RoleChangeRequest, req).role }, res)));
  router.use(apiKeyRoutes(admin, ask));
  router.use(chatbotSettingsRoutes(admin, ask));
  const agent = requireCaller(auth, { roles: ['agent', 'admin'] });
  router.use(chatSummaryRoutes(agent, ask));
  router.use(dashboardRoutes(agent, { bus: deps.bus, link: deps.link, gatherMs: deps.dashboardGatherMs }));
  router.use(oidcRoutes(ask, tokens));
  return router;
}

/** Tokens, or 429 with the wait in Retry-After (and in the body, for clients that do not read headers). */
function signedIn(res: Response, result: SignInResult) {
  if (result.outcome === 'tokens') return tokens(res, result.tokens);
  res.status(429).setHeader('Retry-After', String(result.retry_after_seconds));
  return { error: 'Too many failed attempts, try again later', code: 'E4004', retry_after: result.retry_after_seconds };
}

/** Token responses must not be cached by anything on the way (RFC 6749 §5.1). */
function tokens<T>(res: Response, body: T): T {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  return body;
}
