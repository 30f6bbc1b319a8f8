import type { z } from 'zod';
import * as chatbot from '../rest/chatbot';
import type { OpenApiHelpers } from './openapi-accounts';

/** The chatbot settings (admins) and the AI summaries (agents), kept apart from the seed's paths. */
export function chatbotPaths({ json, error }: OpenApiHelpers): Record<string, unknown> {
  const ok = (description: string, schema: z.ZodType) => ({ description, content: json(schema) });
  const user = [{ bearer: [] }, { apiKey: [] }];
  const unauthenticated = error('no, expired or invalid credentials (E4012)');
  const notAdmin = error('not an admin, or an API key without the admin scope (E4013)');
  const settings = ok('the settings in force: version 0 with settings null before the first save (the workers then use their environment)', chatbot.ChatbotSettingsRecord);
  return {
    '/api/admin/chatbot/settings': {
      get: { summary: 'The chatbot settings in force (admins)', security: user, responses: { 200: settings, 401: unauthenticated, 403: notAdmin } },
      put: {
        summary: 'Save a new version of the chatbot settings (admins); every llm-dispatch worker uses it within a second',
        security: user,
        requestBody: { required: true, content: json(chatbot.ChatbotSettings, 'input') },
        responses: {
          200: ok('the saved version, with who saved it and when', chatbot.ChatbotSettingsRecord),
          401: unauthenticated,
          403: notAdmin,
          422: error('invalid settings (E4002): the zod issues in `detail`; every field is required, unknown fields are refused'),
        },
      },
    },
    '/api/chat/greeting': {
      get: { summary: 'The greeting a client shows when a conversation opens (public; null before settings were saved)', responses: { 200: ok('the greeting', chatbot.GreetingResponse) } },
    },
    '/api/admin/chatbot/settings/history': {
      get: {
        summary: 'Saved versions of the chatbot settings, newest first (admins)',
        security: user,
        parameters: [
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'before_version', in: 'query', required: false, schema: { type: 'integer', minimum: 1 }, description: 'the next page: versions older than this one' },
        ],
        responses: { 200: ok('versions with who saved them and when', chatbot.ChatbotSettingsHistoryResponse), 400: error('bad limit or before_version (E4001)'), 401: unauthenticated, 403: notAdmin },
      },
    },
    '/api/admin/chats/{id}/summary': {
      get: {
        summary: 'The AI summaries of a conversation: the latest, and every one newest first (agents and admins)',
        security: [{ bearer: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: 'the conversation’s session_id' }],
        responses: {
          200: ok('summary null before the conversation first entered waiting or completed', chatbot.ChatSummaryResponse),
          401: unauthenticated,
          403: error('neither an agent nor an admin (E4013)'),
          404: error('no such conversation (E4005)'),
        },
      },
    },
  };
}
