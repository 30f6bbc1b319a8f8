import type { z } from 'zod';
import * as conversations from '../rest/conversations';
import type { OpenApiHelpers } from './openapi-accounts';

type Parameter = Record<string, unknown>;

const query = (name: string, schema: Record<string, unknown>, description: string, required = false): Parameter => ({ name, in: 'query', required, schema, description });
const paging = (maxLimit: number, fallback: number, offset: string): Parameter[] => [
  query('limit', { type: 'integer', minimum: 1, maximum: maxLimit, default: fallback }, 'items per page'),
  query('offset', { type: 'integer', minimum: 0, maximum: 100_000, default: 0 }, offset),
];

/**
 * The conversation endpoints (docs/accounts.md, "Conversations"): a signed-in user's sessions,
 * answered by chat-log through the gateway. Another account's session answers 404, as an unknown one.
 */
export function conversationPaths({ json, error }: OpenApiHelpers): Record<string, unknown> {
  const ok = (description: string, schema: z.ZodType) => ({ description, content: json(schema) });
  const body = (schema: z.ZodType, required = true) => ({ required, content: json(schema, 'input') });
  const security = [{ bearer: [] }, { apiKey: [] }];
  const common = {
    401: error('no, expired or invalid credentials (E4012; WWW-Authenticate says why)'),
    403: error('an API key without the `chat` scope (E4013)'),
  };
  const bad = error('bad body, query or id: the zod issues in `detail`; unknown fields and query parameters are refused (E4002)');
  const missing = error('no such conversation of the caller: unknown, deleted, or another account’s (E4005; never 403)');
  const id = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
  const conversation = ok('the conversation', conversations.Conversation);
  const paths: Record<string, Record<string, unknown>> = {
    '/api/chat/sessions': {
      post: {
        summary: 'Start a conversation; without a title the first message stands in for one', security,
        requestBody: body(conversations.ConversationCreateRequest, false),
        responses: { 201: ok('created (Location: /api/chat/sessions/{id})', conversations.Conversation), ...common, 422: bad },
      },
      get: {
        summary: 'The caller’s conversations, most recently updated first', security,
        parameters: paging(100, 20, 'conversations skipped'),
        responses: { 200: ok('a page and the total', conversations.ConversationListResponse), ...common, 422: bad },
      },
    },
    '/api/chat/sessions/{id}': {
      get: { summary: 'One of the caller’s conversations', security, parameters: id, responses: { 200: conversation, ...common, 404: missing, 422: bad } },
      delete: {
        summary: 'Delete a conversation: its messages, replies, feedback and queued frames are erased; its id is never usable again', security, parameters: id,
        responses: { 200: ok('deleted', conversations.ConversationDeletedResponse), ...common, 404: missing, 422: bad },
      },
    },
    '/api/chat/sessions/{id}/title': {
      put: {
        summary: 'Rename a conversation', security, parameters: id, requestBody: body(conversations.ConversationRenameRequest),
        responses: { 200: conversation, ...common, 404: missing, 422: bad },
      },
    },
    '/api/chat/history': {
      get: {
        summary: 'A page of a conversation: user messages and bot replies with their tool metadata', security,
        parameters: [
          query('session_id', { type: 'string', format: 'uuid' }, 'the conversation', true),
          ...paging(200, 50, 'newest entries skipped: 0 is the latest page, each page oldest first'),
        ],
        responses: { 200: ok('the page, the total and whether older entries exist', conversations.HistoryPageResponse), ...common, 404: missing, 422: bad },
      },
    },
  };
  // Seed 001's client spells one session in the singular; the gateway serves both.
  return {
    ...paths,
    '/api/chat/session': { post: paths['/api/chat/sessions'].post },
    '/api/chat/session/{id}': paths['/api/chat/sessions/{id}'],
    '/api/chat/session/{id}/title': paths['/api/chat/sessions/{id}/title'],
  };
}
