import { forgeToken, signUp, startAuthWorld, JWT_SECRET, type AuthWorld } from '../../test/auth.harness';

/**
 * The account lifecycle over HTTP through the real gateway to the real persona and its database,
 * and the tokens the gateway must refuse on its own (no persona involved in a bearer check).
 */
let world: AuthWorld;
/** Every secret the specs handled: none may appear in any log line of either service. */
const secrets = new Set<string>();

beforeAll(async () => {
  world = await startAuthWorld({ LOG_LEVEL: 'debug' }, { LOG_LEVEL: 'debug' });
});
afterAll(async () => {
  await world?.stop();
});

const keep = <T extends string>(secret: T): T => (secrets.add(secret), secret);

test('register, login, me, profile, usage, change password, refresh and logout', async () => {
  const password = keep('first-password-42');
  const registered = await world.call('POST', '/api/auth/register', { body: { email: 'Life@Example.com', password, name: 'Life' } });
  expect(registered.status).toBe(201);
  expect(registered.body).toEqual({ id: expect.any(String), email: 'life@example.com', name: 'Life', role: 'customer', usage_count: 0, created_at: expect.any(String) });
  expect((await world.call('POST', '/api/auth/register', { body: { email: 'life@example.com', password, name: 'Again' } })).body.code).toBe('E4014');

  const login = await world.call('POST', '/api/auth/login', { body: { email: 'LIFE@example.com', password } });
  expect(login.status).toBe(200);
  expect(login.body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: 'bearer', expires_in: 900 });
  expect(login.headers.get('cache-control')).toBe('no-store');
  const access = keep(login.body.access_token as string);
  keep(login.body.refresh_token);

  expect((await world.call('GET', '/api/auth/me', { token: access })).body).toEqual(registered.body);
  const updated = await world.call('PUT', '/api/user/profile', { token: access, body: { name: 'Life Two', picture: 'https://img.example.com/a.png' } });
  expect(updated.body).toMatchObject({ name: 'Life Two', picture: 'https://img.example.com/a.png' });
  expect((await world.call('GET', '/api/user/profile', { token: access })).body).toEqual(updated.body);
  expect((await world.call('PUT', '/api/user/profile', { token: access, body: { picture: null } })).body.picture).toBeUndefined();
  expect((await world.call('POST', '/api/user/increment-usage', { token: access })).body).toEqual({ usage_count: 1 });
  expect((await world.call('POST', '/api/user/increment-usage', { token: access })).body).toEqual({ usage_count: 2 });

  const newPassword = keep('second-password-42');
  const wrong = await world.call('POST', '/api/auth/change-password', { token: access, body: { current_password: 'not-it-at-all', new_password: newPassword } });
  expect(wrong).toMatchObject({ status: 401, body: { code: 'E4011' } });
  const changed = await world.call('POST', '/api/auth/change-password', { token: access, body: { current_password: password, new_password: newPassword } });
  expect(changed.status).toBe(200);
  keep(changed.body.access_token);
  keep(changed.body.refresh_token);
  // the password change revoked the session the old refresh token belonged to
  expect((await world.call('POST', '/api/auth/refresh', { body: { refresh_token: login.body.refresh_token } })).body.code).toBe('E4015');
  expect((await world.call('POST', '/api/auth/login', { body: { email: 'life@example.com', password } })).status).toBe(401);

  const refreshed = await world.call('POST', '/api/auth/refresh', { body: { refresh_token: changed.body.refresh_token } });
  expect(refreshed.status).toBe(200);
  keep(refreshed.body.access_token);
  keep(refreshed.body.refresh_token);
  expect((await world.call('GET', '/api/auth/me', { token: refreshed.body.access_token })).body.usage_count).toBe(2);

  expect((await world.call('POST', '/api/auth/logout', { body: { refresh_token: refreshed.body.refresh_token } })).status).toBe(204);
  expect((await world.call('POST', '/api/auth/refresh', { body: { refresh_token: refreshed.body.refresh_token } })).status).toBe(401);
});

test('a refresh rotates the token, and replaying a used one revokes the whole family', async () => {
  const { refresh } = await signUp(world, 'rotate@example.com', keep('rotate-password-1'));
  keep(refresh);
  const first = await world.call('POST', '/api/auth/refresh', { body: { refresh_token: refresh } });
  expect(first.status).toBe(200);
  expect(first.body.refresh_token).not.toBe(refresh);
  keep(first.body.refresh_token);
  keep(first.body.access_token);
  const replay = await world.call('POST', '/api/auth/refresh', { body: { refresh_token: refresh } });
  expect(replay).toMatchObject({ status: 401, body: { code: 'E4015' } });
  // the newest token of the family is dead too: whoever held the stolen one is logged out with it
  expect((await world.call('POST', '/api/auth/refresh', { body: { refresh_token: first.body.refresh_token } })).status).toBe(401);
  // a new login starts a new family that works
  expect((await world.call('POST', '/api/auth/login', { body: { email: 'rotate@example.com', password: 'rotate-password-1' } })).status).toBe(200);
});

test('expired, tampered, alg none, wrong-audience, wrong-issuer, wrong-key and unknown-kid tokens are refused with 401', async () => {
  const { id, access } = await signUp(world, 'tokens@example.com', keep('tokens-password-1'));
  keep(access);
  const now = Math.floor(Date.now() / 1000);
  const [header, payload, signature] = access.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${signature}`;
  const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: 'k1' })).toString('base64url')}.${payload}.`;
  const bad = {
    expired: await forgeToken({ sub: id, exp: now - 60 }),
    tampered,
    none,
    audience: await forgeToken({ sub: id, aud: 'another-api' }),
    issuer: await forgeToken({ sub: id, iss: 'https://issuer.example' }),
    key: await forgeToken({ sub: id, secret: 'another-secret-another-secret-0123456789' }),
    kid: await forgeToken({ sub: id, kid: 'k7' }),
    garbage: 'not.a.jwt',
  };
  // the forged token with the real secret and nothing wrong is accepted: the refusals are about the faults
  expect((await world.call('GET', '/api/auth/me', { token: await forgeToken({ sub: id, secret: JWT_SECRET }) })).status).toBe(200);
  for (const [fault, token] of Object.entries(bad)) {
    const answer = await world.call('GET', '/api/auth/me', { token });
    expect({ fault, status: answer.status, code: answer.body.code }).toEqual({ fault, status: 401, code: 'E4012' });
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="chatbot-platform", error="invalid_token"/);
  }
  expect((await world.call('GET', '/api/auth/me', { token: bad.expired })).headers.get('www-authenticate')).toContain('token expired');
  const missing = await world.call('GET', '/api/auth/me');
  expect(missing).toMatchObject({ status: 401, body: { code: 'E4012' } });
  expect(missing.headers.get('www-authenticate')).toContain('error="invalid_request"');
});

test('bodies: 422 with the issues, unknown fields refused, 413 when oversize', async () => {
  const missing = await world.call('POST', '/api/auth/register', { body: { email: 'x@example.com', name: 'X' } });
  expect(missing).toMatchObject({ status: 422, body: { code: 'E4002', detail: [expect.objectContaining({ path: ['password'] })] } });
  const unknown = await world.call('POST', '/api/auth/login', { body: { email: 'x@example.com', password: 'whatever-1', remember: true } });
  expect(unknown).toMatchObject({ status: 422, body: { detail: [expect.objectContaining({ code: 'unrecognized_keys' })] } });
  const short = await world.call('POST', '/api/auth/register', { body: { email: 'x@example.com', password: 'short', name: 'X' } });
  expect(short.body.detail).toEqual([expect.objectContaining({ path: ['password'], message: 'at least 8 characters' })]);
  const notEmail = await world.call('POST', '/api/auth/register', { body: { email: 'not-an-email', password: 'long-enough-1', name: 'X' } });
  expect(notEmail.body.detail[0].path).toEqual(['email']);
  expect((await world.call('POST', '/api/auth/login', { raw: '{"email":' })).status).toBe(422);
  const huge = await world.call('POST', '/api/auth/register', { body: { email: 'x@example.com', password: 'p'.repeat(100_000), name: 'X' } });
  expect(huge).toMatchObject({ status: 413, body: { code: 'E4003' } });
  // the answers never echo what was sent
  expect(JSON.stringify([missing.body, unknown.body, short.body])).not.toContain('whatever-1');
});

test('no password, access token, refresh token or API key reaches a log line of the gateway or persona', async () => {
  const password = keep('logged-password-77');
  const { access, refresh } = await signUp(world, 'logs@example.com', password);
  keep(access);
  keep(refresh);
  await world.call('POST', '/api/auth/login', { body: { email: 'logs@example.com', password: keep('wrong-password-77') } });
  const rotated = await world.call('POST', '/api/auth/refresh', { body: { refresh_token: refresh } });
  keep(rotated.body.refresh_token);
  keep(rotated.body.access_token);
  await world.call('POST', '/api/auth/refresh', { body: { refresh_token: refresh } }); // a replay, logged as such
  await world.call('POST', '/api/auth/change-password', { token: rotated.body.access_token, body: { current_password: password, new_password: keep('logged-password-78') } });
  await world.call('GET', '/api/auth/me', { token: `${access}x` });
  const logs = world.logs();
  expect(logs.some((line) => line.includes('refresh token reused'))).toBe(true); // the logs were captured at debug
  expect(secrets.size).toBeGreaterThan(15);
  for (const secret of secrets) {
    const leaks = logs.filter((line) => line.includes(secret));
    expect({ secret: `${secret.slice(0, 6)}…`, leaks }).toEqual({ secret: `${secret.slice(0, 6)}…`, leaks: [] });
  }
});
