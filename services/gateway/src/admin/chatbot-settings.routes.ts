import { Router, type Request, type RequestHandler } from 'express';
import { ChatbotSettings, SettingsHistoryQuery } from '@chatbot/proto';
import { bodyOf, route, type Ask } from '../auth/auth.request';
import { callerOf } from '../auth/caller.middleware';
import { RequestError } from '../http/error.mapper';

/**
 * The chatbot's settings (admins only): read, replace (validated by the contract: 422 with the zod
 * issues), and the history of saved versions. Persona keeps them; the workers pick up a save live.
 */
export function chatbotSettingsRoutes(admin: RequestHandler, ask: Ask): Router {
  const router = Router();
  router.get('/api/admin/chatbot/settings', admin, route('admin.chatbot.settings', (_req, res) => ask('chatbotSettingsGet', {}, res)));
  router.put('/api/admin/chatbot/settings', admin, route('admin.chatbot.settings.put', (req, res) =>
    ask('chatbotSettingsPut', { actor_id: callerOf(res).accountId, settings: bodyOf(ChatbotSettings, req) }, res)));
  router.get('/api/admin/chatbot/settings/history', admin, route('admin.chatbot.settings.history', (req, res) =>
    ask('chatbotSettingsHistory', historyQuery(req), res)));
  return router;
}

function historyQuery(req: Request) {
  const parsed = SettingsHistoryQuery.safeParse(req.query);
  if (!parsed.success) throw new RequestError(400, 'E4001', 'limit: 1 to 100; before_version: a positive whole number', parsed.error.issues);
  return parsed.data;
}
