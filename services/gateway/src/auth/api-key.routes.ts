import { Router, type RequestHandler } from 'express';
import { ApiKeyCreateRequest } from '@chatbot/proto';
import { bodyOf, pathId, route, type Ask } from './auth.request';
import { callerOf } from './caller.middleware';

/** An admin's API keys: create (the secret is in this answer only), list, revoke. */
export function apiKeyRoutes(admin: RequestHandler, ask: Ask): Router {
  const router = Router();
  router.post('/api/admin/api-keys', admin, route('admin.api-keys.create', async (req, res) => {
    const body = bodyOf(ApiKeyCreateRequest, req);
    res.status(201).setHeader('Cache-Control', 'no-store');
    return ask('apiKeyCreate', { ...body, actor_id: callerOf(res).accountId }, res);
  }));
  router.get('/api/admin/api-keys', admin, route('admin.api-keys.list', (_req, res) => ask('apiKeyList', { actor_id: callerOf(res).accountId }, res)));
  router.delete('/api/admin/api-keys/:id', admin, route('admin.api-keys.revoke', (req, res) =>
    ask('apiKeyRevoke', { actor_id: callerOf(res).accountId, key_id: pathId(req) }, res)));
  return router;
}
