import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import express, { type Express, type RequestHandler } from 'express';
import { handleOpsRequest, type Logger, type OpsEndpoints } from '@chatbot/runtime';
import { attachmentRouter } from '../attachments/attachment.routes';
import type { UploadLimits } from '../attachments/upload.receiver';
import { authRouter, type AuthRouteDeps } from '../auth/auth.routes';
import { agentsRouter } from '../agents/agents.routes';
import { conversationRouter } from '../conversations/conversation.routes';
import { corsMiddleware } from './cors.middleware';
import { errorHandler, notFound } from './error.mapper';
import { restRateLimit, type RestRateLimits } from './rate-limit.middleware';
import type { GatewayMetrics } from '../gateway.metrics';
import { restRouter, type RestDeps } from './rest.routes';
import { traceRequests } from './trace.middleware';
import { webRouter } from './web.routes';

export interface HttpDeps extends RestDeps, AuthRouteDeps {
  logger: Logger;
  metrics: GatewayMetrics;
  ops: OpsEndpoints;
  corsOrigins: string[];
  rateLimits: RestRateLimits;
  uploads: UploadLimits;
}

/** The REST API and the ops endpoints; no port: `app.ts` puts it on a server. */
export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(timing(deps.metrics));
  app.get(['/healthz', '/readyz', '/metrics'], opsHandler(deps.ops));
  app.use(traceRequests); // after the probes and scrapes, which would only add noise
  app.use(corsMiddleware(deps.corsOrigins));
  app.use(correlation);
  // before the body is read: a refused call costs no parsing
  app.use('/api', restRateLimit(deps.rateLimits));
  // Before the JSON parser: an upload's body is streamed by its route, never parsed whole.
  app.use(attachmentRouter(deps));
  app.use(express.json({ limit: '64kb' }));
  app.use(restRouter(deps));
  app.use(authRouter(deps));
  app.use(conversationRouter(deps));
  app.use(agentsRouter(deps));
  app.use(webRouter({ logger: deps.logger }));
  app.use(notFound);
  app.use(errorHandler(deps.logger, deps.bus.incidents));
  return app;
}

function timing(metrics: GatewayMetrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const route = (res.locals.route as string | undefined) ?? 'ops';
      metrics.http.observe({ method: req.method, route, status: String(res.statusCode) }, (performance.now() - started) / 1000);
    });
    next();
  };
}

function opsHandler(ops: OpsEndpoints): RequestHandler {
  return async (req, res) => {
    res.locals.route = req.path;
    const answer = await handleOpsRequest(ops, req.path);
    if (!answer) return void res.status(404).end();
    res.status(answer.status).setHeader('content-type', answer.type).end(answer.body);
  };
}

/** One id per request, from the caller when it sends one, through every bus request and log line. */
const correlation: RequestHandler = (req, res, next) => {
  const given = req.headers['x-correlation-id'];
  const id = typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
  res.locals.correlationId = id;
  res.setHeader('X-Correlation-Id', id);
  next();
};
