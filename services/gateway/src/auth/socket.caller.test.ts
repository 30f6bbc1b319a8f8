import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { accessTokenEnv, createAccessTokenSigner, createAccessTokenVerifier } from '@chatbot/auth';
import type { ApiKeyLookup } from './api-key.lookup';
import { checkSocketCaller, type SocketCallerDeps } from './socket.caller';

const config = z.object(accessTokenEnv).parse({ JWT_SECRET: 'ws-token-spec-secret-0123456789abcdef', JWT_CLOCK_TOLERANCE_SECONDS: '0', ACCESS_TOKEN_TTL_SECONDS: '1' });
const signer = createAccessTokenSigner(config)!;
/** The API-key path asks persona; its specs run against the real one (socket-auth.itest.ts). */
const noApiKeys: ApiKeyLookup = { verify: () => Promise.reject(new Error('not in this spec')) };
const deps: SocketCallerDeps = { verifier: createAccessTokenVerifier(config), apiKeys: noApiKeys, clockToleranceSeconds: 0 };
const account = { accountId: '7a4c3b56-1a6f-4e0f-9d4e-6f8b1b2d9c10', role: 'customer' as const };
const upgrade = (headers: Record<string, string> = {}) => ({ headers }) as IncomingMessage;
const query = (text: string) => new URLSearchParams(text);
const named = { ok: true, caller: { accountId: account.accountId, role: 'customer', via: 'token', expiresAtMs: expect.any(Number) } };

test('a valid token in ?token=, in Authorization: Bearer, or as a bearer. subprotocol names its account', async () => {
  const token = await signer.signAccessToken(account);
  expect(await checkSocketCaller(deps, upgrade(), query(`token=${token}`), true)).toEqual(named);
  expect(await checkSocketCaller(deps, upgrade({ authorization: `Bearer ${token}` }), query(''), true)).toEqual(named);
  expect(await checkSocketCaller(deps, upgrade({ 'sec-websocket-protocol': `chat.v2, bearer.${token}` }), query(''), true)).toEqual(named);
});

test('the socket deadline is the token expiry plus the tolerated skew, in ms', async () => {
  const token = await signer.signAccessToken(account);
  const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp as number;
  const check = await checkSocketCaller({ ...deps, clockToleranceSeconds: 5 }, upgrade(), query(`token=${token}`), false);
  expect(check).toMatchObject({ ok: true, caller: { expiresAtMs: (exp + 5) * 1000 } });
});

test('no credential: anonymous unless one is required', async () => {
  expect(await checkSocketCaller(deps, upgrade(), query(''), false)).toEqual({ ok: true, caller: null });
  expect(await checkSocketCaller(deps, upgrade({ 'sec-websocket-protocol': 'chat.v2' }), query(''), false)).toEqual({ ok: true, caller: null });
  expect(await checkSocketCaller(deps, upgrade(), query(''), true)).toEqual({ ok: false, reason: 'authentication required' });
  expect(await checkSocketCaller(deps, upgrade({ authorization: 'Basic abc' }), query(''), true)).toEqual({ ok: false, reason: 'authentication required' });
});

test('malformed, two at once, expired, and accounts off: each refused with its reason', async () => {
  const token = await signer.signAccessToken(account);
  expect(await checkSocketCaller(deps, upgrade(), query('token=a.b.c'), false)).toEqual({ ok: false, reason: 'token invalid' });
  expect(await checkSocketCaller(deps, upgrade({ authorization: `Bearer ${token}` }), query(`token=${token}`), false)).toEqual({ ok: false, reason: 'more than one credential' });
  const off = { ...deps, verifier: null };
  expect(await checkSocketCaller(off, upgrade(), query(`token=${token}`), false)).toEqual({ ok: false, reason: 'accounts are not configured' });
  expect(await checkSocketCaller(off, upgrade(), query(''), true)).toEqual({ ok: false, reason: 'accounts are not configured' });
  await new Promise((resolve) => setTimeout(resolve, 2_100)); // its one second of life, then some
  expect(await checkSocketCaller(deps, upgrade(), query(`token=${token}`), false)).toEqual({ ok: false, reason: 'token expired' });
});
