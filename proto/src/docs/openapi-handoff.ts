import type { z } from 'zod';
import * as handoff from '../rest/handoff';
import type { OpenApiHelpers } from './openapi-accounts';

/** The agents' API and the user's request for a person (services/gateway/src/agents/README.md). */
export function handoffPaths({ json, error }: OpenApiHelpers): Record<string, unknown> {
  const ok = (description: string, schema: z.ZodType) => ({ description, content: json(schema) });
  // an agent's token or admin-scoped key; for the user's request, a token or chat-scoped key
  const credentials = [{ bearer: [] }, { apiKey: [] }];
  const id = [{ name: 'id', in: 'path', required: true, description: 'the conversation’s session_id', schema: { type: 'string', format: 'uuid' } }];
  const denied = { 401: error('no, expired or invalid credentials'), 403: error('not an agent or admin (E4013)') };
  const missing = { 404: error('no such conversation, or a malformed id (E4005)') };
  const conflict = { 409: { description: 'the state refuses it (E4030): `reason` is state, holder, version or unanswered; `state` is the conversation now', content: json(handoff.HandoffConflictResponse) } };
  const transition = (summary: string, needsMessage = false) => ({
    post: {
      summary,
      security: credentials,
      parameters: id,
      requestBody: { required: needsMessage, content: json(handoff.TransitionRequest, 'input') },
      responses: { 200: ok('the conversation after it (unchanged when it already was so)', handoff.ConversationResponse), ...denied, ...missing, ...conflict, 422: error('bad body') },
    },
  });
  const paging = [
    { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
    { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'next_cursor of the previous page' },
  ];
  const list = (which: string) => ({
    get: {
      summary: `A page of ${which} conversations, newest status change first`,
      security: credentials,
      parameters: paging,
      responses: { 200: ok('the page', handoff.ConversationPageResponse), 400: error('bad limit'), ...denied },
    },
  });
  return {
    '/api/admin/chats/active': list('active (bot or agent)'),
    '/api/admin/chats/pending': list('pending (waiting for an agent)'),
    '/api/admin/chats/completed': list('completed'),
    '/api/admin/chats/{id}/takeover': transition('Take the conversation (from bot or waiting): the assistant stops answering'),
    '/api/admin/chats/{id}/release': transition('Hand it back to the assistant (from agent, by its holder); an optional message goes first'),
    '/api/admin/chats/{id}/provide-info': transition('Answer with a message and hand back to the assistant (from waiting or agent)', true),
    '/api/admin/chats/{id}/complete': transition('Close the conversation; an optional message goes first'),
    '/api/admin/chats/{id}/messages': {
      get: {
        summary: 'The conversation’s entries (user, assistant, agent), newest page first, each page oldest first: replies with their tool metadata, user messages with their attachments',
        security: credentials,
        parameters: [...id, ...paging],
        responses: { 200: ok('the page; next_cursor reads the entries before it', handoff.AgentHistoryPage), 400: error('bad limit or an unreadable cursor (E4001)'), ...denied, ...missing },
      },
      post: {
        summary: 'An agent’s message to the user: a durable frame (sender agent) on every socket of the conversation',
        security: credentials,
        parameters: id,
        requestBody: { required: true, content: json(handoff.AgentMessageRequest, 'input') },
        responses: { 201: ok('sent, with its frame seq', handoff.AgentMessageResponse), ...denied, ...missing, ...conflict, 422: error('bad body') },
      },
    },
    '/api/chat/sessions/{id}/handoff': {
      post: {
        summary: 'The owner asks for a person: from bot to waiting (the v2 frame {"type":"handoff"} does the same, also on an anonymous session)',
        security: credentials,
        parameters: id,
        responses: {
          200: ok('the conversation after it', handoff.ConversationResponse),
          401: error('no, expired or invalid credentials'),
          403: error('an API key without the `chat` scope (E4013)'),
          404: error('no such conversation, not the caller’s, or a malformed id (E4005)'),
          409: { description: 'the conversation is completed (E4030)', content: json(handoff.HandoffConflictResponse) },
        },
      },
    },
  };
}
