import { createAdmin, forgeToken, signUp, startAuthWorld, type AuthWorld } from '../../test/auth.harness';

/**
 * REST limits from outside, against the real gateway (and persona for accounts and API keys):
 * the per-address, per-account and per-API-key rate limits, oversize bodies and bodies outside
 * their contract. The budgets are tiny and refill slowly (one call per 100 s), so nothing refills
 * while a spec runs.
 */
let world: AuthWorld;
let next = 1;
/** A client address no other call of this file used: its budget is whole. */
const fresh = () => `198.18.${Math.floor(next / 250)}.${(next++ % 250) + 1}`;

beforeAll(async () => {
  world = await startAuthWorld({}, {
    HTTP_RATE_PER_IP: '0.01',
    HTTP_BURST_PER_IP: '4',
    HTTP_RATE_PER_CALLER: '0.01',
    HTTP_BURST_PER_CALLER: '2',
  });
});
afterAll(async () => {
  await world?.stop();
});

test('an address past its budget gets 429 E4004 with Retry-After, on any /api route; others are not affected', async () => {
  const from = fresh();
  for (const path of ['/api/health', '/api/qna/nothing-here', '/api/health', '/api/auth/me']) {
    expect((await world.call('GET', path, { from })).status).not.toBe(429);
  }
  const limited = await world.call('POST', '/api/auth/login', { from, body: { email: 'a@example.com', password: 'x' } });
  expect(limited).toMatchObject({ status: 429, body: { error: 'Too many messages, slow down', code: 'E4004', retry_after: expect.any(Number) } });
  const retryAfter = Number(limited.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(90);
  expect(retryAfter).toBeLessThanOrEqual(100);
  expect(limited.body.retry_after).toBe(retryAfter);
  expect((await world.call('GET', '/api/health', { from: fresh() })).status).toBe(200);
  // the ops endpoints and the pages are not REST calls: never limited
  expect((await fetch(`${world.http}/healthz`, { headers: { 'x-forwarded-for': from } })).status).toBe(200);
});

test('an account has one budget, whichever address it calls with; a forged token for it spends none of it', async () => {
  const user = await signUp(world, 'limited@example.com', 'a-long-password-1', fresh());
  const forged = await forgeToken({ sub: user.id, secret: 'not-the-gateway-secret-0123456789abcdef' });
  expect((await world.call('GET', '/api/auth/me', { token: forged, from: fresh() })).status).toBe(401);
  expect((await world.call('GET', '/api/auth/me', { token: forged, from: fresh() })).status).toBe(401);
  expect((await world.call('GET', '/api/auth/me', { token: forged, from: fresh() })).status).toBe(401);
  expect((await world.call('GET', '/api/auth/me', { token: user.access, from: fresh() })).status).toBe(200);
  expect((await world.call('GET', '/api/user/profile', { token: user.access, from: fresh() })).status).toBe(200);
  const limited = await world.call('GET', '/api/auth/me', { token: user.access, from: fresh() });
  expect(limited).toMatchObject({ status: 429, body: { code: 'E4004' } });
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  // another account is not affected
  const other = await signUp(world, 'unlimited@example.com', 'a-long-password-1', fresh());
  expect((await world.call('GET', '/api/auth/me', { token: other.access, from: fresh() })).status).toBe(200);
});

test('an API key has one budget, whichever address calls with it', async () => {
  await createAdmin(world, 'limits-admin@example.com', 'limits-admin-password-1');
  const adminLogin = await world.call('POST', '/api/auth/login', { body: { email: 'limits-admin@example.com', password: 'limits-admin-password-1' }, from: fresh() });
  const created = await world.call('POST', '/api/admin/api-keys', { token: adminLogin.body.access_token, body: { name: 'limited', scopes: ['chat'] }, from: fresh() });
  expect(created.status).toBe(201);
  const key = created.body.key as string;
  expect((await world.call('GET', '/api/auth/me', { apiKey: key, from: fresh() })).status).toBe(200);
  expect((await world.call('GET', '/api/auth/me', { apiKey: key, from: fresh() })).status).toBe(200);
  expect((await world.call('GET', '/api/auth/me', { apiKey: key, from: fresh() })).body.code).toBe('E4004');
  // a made-up key is refused by persona and does not share the real key's budget
  expect((await world.call('GET', '/api/auth/me', { apiKey: `${key}x`, from: fresh() })).status).toBe(401);
});

test('a body over 64 KiB is 413; a body outside its contract is 422 with the issues, unknown fields included', async () => {
  const big = JSON.stringify({ email: 'big@example.com', password: 'a-long-password-1', name: 'x'.repeat(70_000) });
  expect(await world.call('POST', '/api/auth/register', { raw: big, from: fresh() })).toMatchObject({ status: 413, body: { code: 'E4003' } });
  const unknown = await world.call('POST', '/api/auth/register', { body: { email: 'u@example.com', password: 'a-long-password-1', name: 'u', role: 'admin' }, from: fresh() });
  expect(unknown).toMatchObject({ status: 422, body: { code: 'E4002', detail: [expect.objectContaining({ code: 'unrecognized_keys' })] } });
  expect((await world.call('POST', '/api/auth/login', { raw: '{"email": ', from: fresh() })).status).toBe(422);
  const notJson = await fetch(`${world.http}/api/auth/refresh`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-forwarded-for': fresh() }, body: 'refresh_token=abc' });
  expect(notJson.status).toBe(422);
  for (const path of ['/api/auth/login', '/api/auth/refresh', '/api/auth/logout']) {
    expect((await world.call('POST', path, { body: { surprise: true }, from: fresh() })).status).toBe(422);
  }
});
