import { z } from 'zod';
import * as rest from '../rest/bodies';
import { accountPaths, accountSecuritySchemes } from './openapi-accounts';
import { chatbotPaths } from './openapi-chatbot';
import { attachmentPaths } from './openapi-attachments';
import { handoffPaths } from './openapi-handoff';
import { dashboardPaths } from './openapi-dashboard';
import { conversationPaths } from './openapi-conversations';

/**
 * A zod schema as an OpenAPI 3.1 Schema Object. OAS 3.1 schemas are JSON Schema 2020-12: a value
 * that may be null is `anyOf: [..., { type: 'null' }]`, not 3.0's `nullable`. The `$schema` zod
 * stamps on each one goes: the document's `jsonSchemaDialect` already says which dialect applies.
 */
function schema(s: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const body: Record<string, unknown> = { ...z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) };
  delete body.$schema;
  return body;
}

/** The dialect of every Schema Object in the document (OAS 3.1's default, said out loud). */
const dialect = 'https://spec.openapis.org/oas/3.1/dialect/base';

const json = (s: z.ZodType, io: 'input' | 'output' = 'output') => ({ 'application/json': { schema: schema(s, io) } });
const error = (description: string) => ({ description, content: json(rest.ErrorResponse) });
const topK = (fallback: number) => [
  { name: 'top_k', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: fallback } },
];

/**
 * What every /api operation may answer whatever it does: 429 from the gateway's rate limits, and
 * 413 for a body over the limit where a body is taken. An operation that says more keeps its own.
 */
function withLimits<P extends Record<string, object>>(paths: P): P {
  const limited = error('rate limit of the address, account or API key (E4004); Retry-After in seconds, also `retry_after` in the body');
  for (const [path, operations] of Object.entries(paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, operation] of Object.entries(operations as Record<string, { responses: Record<number, unknown> }>)) {
      operation.responses[429] ??= limited;
      if (method === 'post' || method === 'put') operation.responses[413] ??= error('body over 64 KiB (E4003)');
    }
  }
  return paths;
}

/** The REST API (OpenAPI 3.1), built from the same schemas the gateway validates with. */
export function openApiDocument(version: string): Record<string, unknown> {
  const personas = { get: { summary: 'Personas for the login screen', responses: { 200: { description: 'ok', content: json(rest.PersonasResponse) }, 503: error('persona unavailable') } } };
  const login = {
    post: {
      summary: 'Bind a live session to a persona; the recommendation is pushed on its socket',
      requestBody: { required: true, content: json(rest.LoginRequest, 'input') },
      responses: { 200: { description: 'bound (body null)' }, 404: error('no live session, or unknown persona'), 422: error('bad body'), 502: error('recommendation failed') },
    },
  };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: dialect,
    info: { title: 'chatbot-platform gateway REST API', version },
    paths: withLimits({
      '/api/health': { get: { summary: 'Liveness', responses: { 200: { description: 'ok', content: json(rest.HealthResponse) } } } },
      '/api/qna/faq': { get: { summary: 'Most viewed FAQs', parameters: topK(3), responses: { 200: { description: 'ok', content: json(rest.FaqListResponse) }, 400: error('bad top_k') } } },
      '/api/qna/terms': { get: { summary: 'Most viewed financial terms', parameters: topK(6), responses: { 200: { description: 'ok', content: json(rest.TermListResponse) }, 400: error('bad top_k') } } },
      '/api/chat/personas': personas,
      '/api/login/personas': personas,
      '/api/login/': login,
      '/api/login': login,
      '/api/login/persona_id': {
        post: {
          summary: 'The persona bound to a session',
          requestBody: { required: true, content: json(rest.PersonaIdRequest, 'input') },
          responses: { 200: { description: 'ok', content: json(rest.PersonaIdResponse) }, 404: error('no such session'), 422: error('bad body') },
        },
      },
      '/api/chat/feedback': {
        post: {
          summary: 'Set or change the feedback on a bot reply',
          requestBody: { required: true, content: json(rest.FeedbackRequest, 'input') },
          responses: { 200: { description: 'ok', content: json(rest.FeedbackResponse) }, 404: error('unknown message'), 422: error('bad body') },
        },
      },
      ...accountPaths({ json, error }),
      ...chatbotPaths({ json, error }),
      ...conversationPaths({ json, error }),
      ...attachmentPaths({ json, error }),
      ...handoffPaths({ json, error }),
      ...dashboardPaths({ json, error }),
    }),
    components: { securitySchemes: accountSecuritySchemes },
  };
}
