import { Router, type Request, type RequestHandler } from 'express';
import { ChatbotSettings, SettingsHistoryQuery, type GreetingResponse } from '@chatbot/proto';
import type { z } from 'zod';
import { bodyOf, route, type Ask } from '../auth/auth.request';
import { callerOf } from '../auth/caller.middleware';
import { RequestError } from '../http/error.mapper';

/**
 * The chatbot's settings (admins only, but for the greeting, which anyone may read): read, replace (validated by the contract: 422 with the zod
 * issues), and the history of saved versions. Persona keeps them; the workers pick up a save live.
 */
export function chatbotSettingsRoutes(admin: RequestHandler, ask: Ask): Router {
  const router = Router();
  router.get('/api/admin/chatbot/settings', admin, route('admin.chatbot.settings', (_req, res) => ask('chatbotSettingsGet', {}, res)));
  router.put('/api/admin/chatbot/settings', admin, route('admin.chatbot.settings.put', (req, res) =>
    ask('chatbotSettingsPut', { actor_id: callerOf(res).accountId, settings: bodyOf(ChatbotSettings, req) }, res)));
  // Public: the one setting a customer's client shows (the greeting of a new conversation).
  router.get('/api/chat/greeting', route('chat.greeting', async (_req, res): Promise<z.infer<typeof GreetingResponse>> =>
    ({ greeting: (await ask('chatbotSettingsGet', {}, res)).settings?.greeting ?? null })));
  router.get('/api/admin/chatbot/settings/history', admin, route('admin.chatbot.settings.history', (req, res) =>
    ask('chatbotSettingsHistory', historyQuery(req), res)));
  return router;
}

function historyQuery(req: Request) {
  const parsed = SettingsHistoryQuery.safeParse(req.query);
  if (!parsed.success) throw new RequestError(400, 'E4001', 'limit: 1 to 100; before_version: a positive whole number', parsed.error.issues);
  return parsed.data;
}
