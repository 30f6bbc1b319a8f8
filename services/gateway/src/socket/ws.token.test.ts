import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { accessTokenEnv, createAccessTokenSigner, createAccessTokenVerifier } from '@chatbot/auth';
import { checkUpgradeToken } from './ws.token';

const config = z.object(accessTokenEnv).parse({ JWT_SECRET: 'ws-token-spec-secret-0123456789abcdef', JWT_CLOCK_TOLERANCE_SECONDS: '0', ACCESS_TOKEN_TTL_SECONDS: '1' });
const verifier = createAccessTokenVerifier(config)!;
const signer = createAccessTokenSigner(config)!;
const account = { accountId: '7a4c3b56-1a6f-4e0f-9d4e-6f8b1b2d9c10', role: 'customer' as const };
const upgrade = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as IncomingMessage;
const query = (text: string) => new URLSearchParams(text);

test('a valid token in ?token= or in Authorization: Bearer names its account', async () => {
  const token = await signer.signAccessToken(account);
  expect(await checkUpgradeToken(verifier, upgrade(), query(`token=${token}`))).toEqual({ ok: true, ...account });
  expect(await checkUpgradeToken(verifier, upgrade(`Bearer ${token}`), query(''))).toEqual({ ok: true, ...account });
});

test('absent, malformed, expired, and accounts off: each refused with its reason', async () => {
  const token = await signer.signAccessToken(account);
  expect(await checkUpgradeToken(verifier, upgrade(), query(''))).toEqual({ ok: false, reason: 'authentication required' });
  expect(await checkUpgradeToken(verifier, upgrade('Basic abc'), query(''))).toEqual({ ok: false, reason: 'authentication required' });
  expect(await checkUpgradeToken(verifier, upgrade(), query('token=a.b.c'))).toEqual({ ok: false, reason: 'token invalid' });
  expect(await checkUpgradeToken(null, upgrade(), query(`token=${token}`))).toEqual({ ok: false, reason: 'accounts are not configured' });
  await new Promise((resolve) => setTimeout(resolve, 2_100)); // its one second of life, then some
  expect(await checkUpgradeToken(verifier, upgrade(), query(`token=${token}`))).toEqual({ ok: false, reason: 'token expired' });
});
