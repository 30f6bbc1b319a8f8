import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import {
  ConversationCreateRequest,
  ConversationListQuery,
  ConversationRenameRequest,
  HistoryPageQuery,
  SessionId,
} from '@chatbot/proto';
import { bodyOf, route, type Ask } from '../auth/auth.request';
import type { AuthRouteDeps } from '../auth/auth.routes';
import { callerOf, requireCaller } from '../auth/caller.middleware';
import { RequestError } from '../http/error.mapper';

/**
 * Conversations: `/api/chat/sessions*` and `/api/chat/history`; chat-log answers. Seed 001's
 * client names one session in the singular (`/api/chat/session/{id}`): both spellings are served. The caller is an
 * access token's account or an API key's (scope `chat`); chat-log scopes every request to it, and
 * answers E4005 (404) for a session of anyone else as for one that does not exist.
 */
export function conversationRouter(deps: AuthRouteDeps): Router {
  const router = Router();
  const ask: Ask = (key, payload, res) => {
    deps.link.require();
    return deps.bus.request(key, payload, { timeoutMs: deps.requestTimeoutMs, correlationId: res.locals.correlationId as string });
  };
  const user = requireCaller(deps.auth, { scope: 'chat' });
  const me = (res: Response) => callerOf(res).accountId;

  router.post(['/api/chat/sessions', '/api/chat/session'], user, privately, route('chat.sessions.create', async (req, res) => {
    // The body is optional: no body is an untitled conversation.
    const { title } = parsed(ConversationCreateRequest, req.body ?? {});
    const created = await ask('conversationCreate', { user_id: me(res), ...(title ? { title } : {}) }, res);
    res.status(201).setHeader('Location', `/api/chat/sessions/${created.session_id}`);
    return created;
  }));
  router.get('/api/chat/sessions', user, privately, route('chat.sessions.list', (req, res) =>
    ask('conversationList', { user_id: me(res), ...parsed(ConversationListQuery, req.query) }, res)));
  router.get(['/api/chat/sessions/:id', '/api/chat/session/:id'], user, privately, route('chat.sessions.get', (req, res) =>
    ask('conversationGet', { user_id: me(res), session_id: sessionIdOf(req) }, res)));
  router.put(['/api/chat/sessions/:id/title', '/api/chat/session/:id/title'], user, privately, route('chat.sessions.rename', (req, res) =>
    ask('conversationRename', { user_id: me(res), session_id: sessionIdOf(req), title: bodyOf(ConversationRenameRequest, req).title }, res)));
  router.delete(['/api/chat/sessions/:id', '/api/chat/session/:id'], user, privately, route('chat.sessions.delete', (req, res) =>
    ask('conversationDelete', { user_id: me(res), session_id: sessionIdOf(req) }, res)));
  router.get('/api/chat/history', user, privately, route('chat.history', (req, res) =>
    ask('conversationHistory', { user_id: me(res), ...parsed(HistoryPageQuery, req.query) }, res)));
  return router;
}

/** A conversation is one user's data: no shared cache may keep it. */
const privately: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'private, no-store');
  next();
};

/** A query or body by its contract, or 422 with the zod issues. */
function parsed<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new RequestError(422, 'E4002', 'Missing or invalid field', result.error.issues);
  return result.data;
}

/** The `:id` path parameter, a session id (UUID). */
const sessionIdOf = (req: Request): string => parsed(SessionId, req.params.id);
