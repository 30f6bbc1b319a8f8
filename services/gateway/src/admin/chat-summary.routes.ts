import { Router, type Request, type RequestHandler } from 'express';
import { SessionId } from '@chatbot/proto';
import { route, type Ask } from '../auth/auth.request';
import { RequestError } from '../http/error.mapper';

/**
 * A conversation's AI summaries, for agents and admins (`{id}` is its session_id): the latest, and
 * every one newest first; 404 for a conversation chat-log does not know.
 */
export function chatSummaryRoutes(agent: RequestHandler, ask: Ask): Router {
  const router = Router();
  router.get('/api/admin/chats/:id/summary', agent, route('admin.chats.summary', (req, res) => ask('summaryGet', { session_id: sessionIdOf(req) }, res)));
  return router;
}

/** A malformed id names no conversation: 404, as an unknown one does. */
function sessionIdOf(req: Request): string {
  const parsed = SessionId.safeParse(req.params.id);
  if (!parsed.success) throw new RequestError(404, 'E4005', 'Session not found');
  return parsed.data;
}
