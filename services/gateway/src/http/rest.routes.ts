import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { Bus } from '@chatbot/bus';
import {
  FeedbackRequest,
  LoginRequest,
  openApiDocument,
  PersonaIdRequest,
  TopKQuery,
  type RequestKey,
  type RequestPayload,
  type ResponsePayload,
} from '@chatbot/proto';
import type { BrokerLink } from '../broker.link';
import { RequestError } from './error.mapper';
import { optionalCaller, type Caller, type CallerDeps } from '../auth/caller.middleware';

export interface RestDeps {
  bus: Bus;
  requestTimeoutMs: number;
  link: BrokerLink;
}

const faqQuery = TopKQuery(3);
const openApi = openApiDocument((require('../../package.json') as { version: string }).version);
const termQuery = TopKQuery(6);

/** The seed's REST API: each route parses its input, asks the owning service, shapes the answer. */
export function restRouter(deps: RestDeps & { auth: CallerDeps }): Router {
  const router = Router();
  // With the bus disconnected a request would wait out its timeout: 503 at once instead.
  const ask = <K extends RequestKey>(key: K, payload: RequestPayload<K>, res: Response): Promise<ResponsePayload<K>> => {
    deps.link.require();
    return deps.bus.request(key, payload, { timeoutMs: deps.requestTimeoutMs, correlationId: res.locals.correlationId as string });
  };

  router.get('/api/health', route('health', async () => ({ status: 'ok' })));
  router.get('/docs/openapi.json', (_req, res) => void res.json(openApi)); // /docs is Swagger UI over it
  router.get('/api/qna/faq', route('qna.faq', async (req, res) => (await ask('faqTop', topK(faqQuery, req), res)).items));
  router.get('/api/qna/terms', route('qna.terms', async (req, res) => (await ask('termTop', topK(termQuery, req), res)).items));
  router.get(['/api/chat/personas', '/api/login/personas'], route('personas', (_req, res) => ask('personas', {}, res)));
  router.post('/api/login/persona_id', route('login.persona_id', (req, res) => ask('binding', body(PersonaIdRequest, req), res)));
  router.post('/api/login', route('login', async (req, res) => {
    await ask('login', body(LoginRequest, req), res);
    return null; // the seed client only checks for 200; the recommendation arrives on the socket
  }));
  // Signed in, feedback reaches only the caller's own conversations; the seed client stays anonymous.
  router.post('/api/chat/feedback', optionalCaller(deps.auth, { scope: 'chat' }), route('chat.feedback', async (req, res) => {
    const { message_id, is_helpful } = body(FeedbackRequest, req);
    const caller = res.locals.caller as Caller | null;
    const result = await ask('feedback', { message_id, is_helpful, user_id: caller?.accountId ?? null }, res);
    return { status: 'success', message_id: result.message_id, feedback_received: result.feedback_received };
  }));
  return router;
}

/** Names the route for metrics and logs, and sends the handler's result as JSON. */
function route(label: string, handler: (req: Request, res: Response) => Promise<unknown>) {
  return async (req: Request, res: Response) => {
    res.locals.route = label;
    res.json(await handler(req, res));
  };
}

function topK(schema: typeof faqQuery, req: Request): { top_k: number } {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) throw new RequestError(400, 'E4001', 'top_k: must be a whole number from 1 to 100', parsed.error.issues);
  return parsed.data;
}

function body<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) throw new RequestError(422, 'E4002', 'Missing or invalid field', parsed.error.issues);
  return parsed.data;
}
