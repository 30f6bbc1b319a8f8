import type { AddressInfo } from 'node:net';
import express from 'express';
import { z } from 'zod';
import { accessTokenEnv, createAccessTokenSigner, createAccessTokenVerifier } from '@chatbot/auth';
import { createLogger, IncidentLog } from '@chatbot/runtime';
import { errorHandler } from '../http/error.mapper';
import { restRateLimit } from '../http/rate-limit.middleware';
import { callerOf, requireCaller, type CallerDeps } from './caller.middleware';

/** The middleware in a real express app on a real port; the routes here never reach persona. */
const config = z.object(accessTokenEnv).parse({ JWT_SECRET: 'unit-secret-0123456789abcdef0123456789' });
const logger = createLogger('caller-test', 'silent');
const noLookup = { verify: () => Promise.reject(new Error('these routes must not ask persona')) };

async function serve(deps: CallerDeps) {
  const app = express();
  app.get('/user', requireCaller(deps), (_req, res) => void res.json(callerOf(res)));
  app.get('/admin', requireCaller(deps, { roles: ['admin'] }), (_req, res) => void res.json(callerOf(res)));
  app.use(errorHandler(logger, new IncidentLog()));
  const server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, body: await res.json(), challenge: res.headers.get('www-authenticate') };
  };
  return { get, close: () => new Promise((resolve) => server.close(resolve)) };
}

test('a valid bearer token sets the caller; its role gates admin routes', async () => {
  const app = await serve({ verifier: createAccessTokenVerifier(config), apiKeys: noLookup, logger });
  const token = await createAccessTokenSigner(config)!.signAccessToken({ accountId: '7a4c3b56-1a6f-4e0f-9d4e-6f8b1b2d9c10', role: 'customer' });
  try {
    expect((await app.get('/user', { authorization: `Bearer ${token}` })).body).toEqual({ accountId: '7a4c3b56-1a6f-4e0f-9d4e-6f8b1b2d9c10', role: 'customer', via: 'token' });
    expect((await app.get('/user', { authorization: `bearer ${token}` })).status).toBe(200); // the scheme is case-insensitive
    expect(await app.get('/admin', { authorization: `Bearer ${token}` })).toMatchObject({ status: 403, body: { code: 'E4013' } });
    expect(await app.get('/user', { authorization: `Basic ${token}` })).toMatchObject({ status: 401, challenge: expect.stringContaining('invalid_request') });
    expect(await app.get('/user', { authorization: 'Bearer' })).toMatchObject({ status: 401 });
    // a route that takes no API key says so rather than asking persona
    expect(await app.get('/user', { 'x-api-key': 'cbk_12345678_x' })).toMatchObject({ status: 403, body: { code: 'E4013' } });
  } finally {
    await app.close();
  }
});

test('without a configured key every protected route answers 503 E5007', async () => {
  const app = await serve({ verifier: null, apiKeys: noLookup, logger });
  try {
    expect(await app.get('/user', { authorization: 'Bearer a.b.c' })).toMatchObject({ status: 503, body: { code: 'E5007' } });
  } finally {
    await app.close();
  }
});

test('behind the REST rate limit, a bearer token is verified once per request, and a forged one is still refused', async () => {
  const real = createAccessTokenVerifier(config)!;
  let verifications = 0;
  const verifier = { verifyAccessToken: (token: string) => ((verifications += 1), real.verifyAccessToken(token)) };
  const app = express();
  const generous = { ratePerSecond: 1_000, burst: 1_000 };
  app.use(restRateLimit({ perAddress: generous, perCaller: generous, trustedProxyHops: 0, verifier }));
  app.get('/user', requireCaller({ verifier, apiKeys: noLookup, logger }), (_req, res) => void res.json(callerOf(res)));
  app.use(errorHandler(logger, new IncidentLog()));
  const server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = await createAccessTokenSigner(config)!.signAccessToken({ accountId: '7a4c3b56-1a6f-4e0f-9d4e-6f8b1b2d9c10', role: 'customer' });
  try {
    const signedIn = await fetch(`${base}/user`, { headers: { authorization: `Bearer ${token}` } });
    expect(signedIn.status).toBe(200);
    expect(verifications).toBe(1);
    const forged = await fetch(`${base}/user`, { headers: { authorization: `Bearer ${token.slice(0, -2)}xx` } });
    expect(forged.status).toBe(401);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
