import { Router, type Request, type Response } from 'express';
import {
  AgentMessageRequest,
  ConversationPageQuery,
  errorCatalogue,
  SessionId,
  TransitionRequest,
  type ConversationList,
  type HandoffAction,
  type HandoffResult,
} from '@chatbot/proto';
import { AppError } from '@chatbot/runtime';
import { bodyOf, route, type Ask } from '../auth/auth.request';
import { callerOf, requireCaller } from '../auth/caller.middleware';
import type { AuthRouteDeps } from '../auth/auth.routes';
import { RequestError } from '../http/error.mapper';

const LISTS: ConversationList[] = ['active', 'pending', 'completed'];
const ACTIONS: Record<string, Exclude<HandoffAction, 'handoff'>> = {
  takeover: 'takeover',
  'provide-info': 'provide_info',
  complete: 'complete',
  release: 'release',
};

/**
 * The agents' API (`/api/admin/chats/*`, role agent or admin) and the signed-in user's request for
 * a person on a conversation of theirs (`/api/chat/sessions/:id/handoff`). chat-log owns every status and decides every change; these
 * routes validate, name the caller and shape the answer: 404 for an unknown conversation, 409 with
 * the current state for a change the state refuses.
 */
export function agentsRouter(deps: AuthRouteDeps): Router {
  const router = Router();
  const ask: Ask = (key, payload, res) => {
    deps.link.require();
    return deps.bus.request(key, payload, { timeoutMs: deps.requestTimeoutMs, correlationId: res.locals.correlationId as string });
  };
  const agent = requireCaller(deps.auth, { roles: ['agent', 'admin'], scope: 'admin' });
  // The user's request, as the conversation routes: an access token or a chat-scoped API key.
  const user = requireCaller(deps.auth, { scope: 'chat' });

  router.get('/api/admin/chats/:list', agent, route('admin.chats.list', async (req, res) => {
    const list = LISTS.find((l) => l === req.params.list);
    if (!list) throw new AppError('E4005', 'No such list');
    const page = queryOf(req);
    return ask('conversations', { list, limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}) }, res);
  }));
  // Every entry, with attachments described; a customer's words, so no shared cache keeps them.
  router.get('/api/admin/chats/:id/messages', agent, route('admin.chats.history', async (req, res) => {
    const session_id = sessionOf(req);
    const page = queryOf(req);
    res.setHeader('Cache-Control', 'private, no-store');
    return ask('agentHistory', { session_id, limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}) }, res);
  }));
  router.post('/api/admin/chats/:id/messages', agent, route('admin.chats.message', async (req, res) => {
    const { message } = bodyOf(AgentMessageRequest, req);
    const result = await ask('agentMessage', { session_id: sessionOf(req), agent_id: callerOf(res).accountId, message }, res);
    if (result.outcome === 'not_found') throw new AppError('E4005');
    if (result.outcome === 'conflict') return conflict(res, result);
    res.status(201);
    return { message_id: result.message_id, seq: result.seq, state: result.state };
  }));
  router.post('/api/admin/chats/:id/:action', agent, route('admin.chats.transition', async (req, res) => {
    const action = ACTIONS[req.params.action as string];
    if (!action) throw new AppError('E4005', 'No such action');
    const body = bodyOf(TransitionRequest, req);
    if (action === 'provide_info' && body.message === undefined) throw new RequestError(422, 'E4002', 'message: is required');
    if (body.force && callerOf(res).role !== 'admin') throw new AppError('E4013', 'force: admins only');
    const result = await ask('handoff', { session_id: sessionOf(req), action, actor_id: callerOf(res).accountId, ...body }, res);
    return answer(res, result);
  }));
  // chat-log answers not_found (404) for a session that is not the caller's, as for an unknown one.
  router.post('/api/chat/sessions/:id/handoff', user, route('chat.handoff', async (req, res) => {
    const result = await ask('handoff', { session_id: sessionOf(req), action: 'handoff', actor_id: callerOf(res).accountId }, res);
    return answer(res, result);
  }));
  return router;
}

/** An unknown (or malformed) id is the same 404: nothing tells a guess from a miss. */
function sessionOf(req: Request): string {
  const parsed = SessionId.safeParse(req.params.id);
  if (!parsed.success) throw new AppError('E4005');
  return parsed.data;
}

function queryOf(req: Request) {
  const parsed = ConversationPageQuery.safeParse(req.query);
  if (!parsed.success) throw new RequestError(400, 'E4001', 'limit: a whole number from 1 to 100; cursor: as given', parsed.error.issues);
  return parsed.data;
}

function answer(res: Response, result: HandoffResult) {
  if (result.outcome === 'not_found') throw new AppError('E4005');
  if (result.outcome === 'conflict') return conflict(res, result);
  return result.state;
}

function conflict(res: Response, result: Extract<HandoffResult, { outcome: 'conflict' }>) {
  res.status(409);
  const code = 'E4030';
  return { error: errorCatalogue[code].text, code, reason: result.reason, state: result.state };
}
