import { startOidcProvider, type OidcProviderFixture } from '@chatbot/testkit';
import { signUp, startAuthWorld, type AuthWorld } from '../../test/auth.harness';

/**
 * Sign-in with a real OpenID provider (oidc-provider in a child process) through the real gateway
 * and persona. The test plays the browser: the gateway's login redirect, the provider's pages, and
 * the provider's redirect back, which it delivers to the gateway (the public redirect URL stands
 * for the gateway behind its proxy).
 */
const REDIRECT = 'https://chat.example.test/api/auth/oidc/callback';
const CLIENT = { client_id: 'chatbot', client_secret: 'chatbot-client-secret-0123456789', redirect_uris: [REDIRECT] };

let provider: OidcProviderFixture;
let world: AuthWorld;
/** Every code, cookie and token the specs handled: none may appear in a log line of either service. */
const secrets = new Set<string>();
beforeAll(async () => {
  provider = await startOidcProvider([CLIENT]);
  world = await startAuthWorld({
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: CLIENT.client_id,
    OIDC_CLIENT_SECRET: CLIENT.client_secret,
    OIDC_REDIRECT_URL: REDIRECT,
    LOG_LEVEL: 'debug',
  }, { LOG_LEVEL: 'debug' });
});
afterAll(async () => {
  await world?.stop();
  await provider?.stop();
});

/** GET /api/auth/oidc/login: the provider URL and the transaction cookie (as a browser would send it back). */
async function begin() {
  const res = await fetch(`${world.http}/api/auth/oidc/login`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const [setCookie] = res.headers.getSetCookie();
  secrets.add(setCookie!.split(';')[0]!.slice('oidc_tx='.length));
  return { setCookie: setCookie!, cookie: setCookie!.split(';')[0]!, authorizationUrl: res.headers.get('location')! };
}

/** The provider's redirect back, delivered to the gateway's callback. */
async function callback(back: URL, cookie?: string) {
  secrets.add(back.searchParams.get('code') ?? '');
  const res = await fetch(`${world.http}${back.pathname}${back.search}`, { headers: cookie ? { cookie } : {} });
  const text = await res.text();
  const body = text ? JSON.parse(text) : undefined;
  if (body?.access_token) secrets.add(body.access_token).add(body.refresh_token);
  return { status: res.status, headers: res.headers, body };
}

async function signIn() {
  const { cookie, authorizationUrl } = await begin();
  return callback(await provider.authorize(authorizationUrl), cookie);
}

test('the sign-in options tell a page that the provider button is on', async () => {
  expect((await world.call('GET', '/api/auth/options')).body).toEqual({ accounts: true, oidc: true });
});

test('the login redirect asks for a code with PKCE S256, state and nonce, and keeps them in an HttpOnly cookie', async () => {
  const { setCookie, authorizationUrl } = await begin();
  const url = new URL(authorizationUrl);
  expect(url.origin).toBe(provider.issuer);
  expect(Object.fromEntries(url.searchParams)).toMatchObject({
    response_type: 'code', client_id: 'chatbot', redirect_uri: REDIRECT, scope: 'openid email profile', code_challenge_method: 'S256',
    state: expect.stringMatching(/^[\w-]{43}$/), nonce: expect.stringMatching(/^[\w-]{43}$/), code_challenge: expect.stringMatching(/^[\w-]{43}$/),
  });
  expect(setCookie).toMatch(/^oidc_tx=[^;]+; Path=\/api\/auth\/oidc; HttpOnly; Secure; SameSite=Lax; Max-Age=600$/);
  // the cookie is sealed: neither the state nor the nonce can be read from it
  expect(setCookie).not.toContain(url.searchParams.get('state'));
  expect(setCookie).not.toContain(url.searchParams.get('nonce'));
});

test('a first sign-in creates an account whose tokens work, and the next sign-in finds the same account', async () => {
  await provider.signInAs({ sub: 'oidc-user-1', email: 'Oidc.One@Example.com', email_verified: true, name: 'Oidc One' });
  const first = await signIn();
  expect(first.status).toBe(200);
  expect(first.body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: 'bearer', expires_in: 900 });
  expect(first.headers.get('cache-control')).toBe('no-store');
  const me = await world.call('GET', '/api/auth/me', { token: first.body.access_token });
  expect(me.body).toEqual({ id: expect.any(String), email: 'oidc.one@example.com', name: 'Oidc One', role: 'customer', usage_count: 0, created_at: expect.any(String) });
  // the refresh token is an ordinary one
  expect((await world.call('POST', '/api/auth/refresh', { body: { refresh_token: first.body.refresh_token } })).status).toBe(200);

  // the provider changed the email: the link is (issuer, subject), not the email
  await provider.signInAs({ sub: 'oidc-user-1', email: 'renamed@example.com', email_verified: true, name: 'Renamed' });
  const second = await signIn();
  expect(second.status).toBe(200);
  expect((await world.call('GET', '/api/auth/me', { token: second.body.access_token })).body.id).toBe(me.body.id);

  // an account made by a provider has no password to log in with
  expect((await world.call('POST', '/api/auth/login', { body: { email: 'oidc.one@example.com', password: 'any-password-at-all' } })).status).toBe(401);
});

test('a tampered state, a missing or altered cookie and another sign-in\'s cookie are refused', async () => {
  await provider.signInAs({ sub: 'oidc-user-2', email: 'two@example.com', email_verified: true });
  const { cookie, authorizationUrl } = await begin();
  const back = await provider.authorize(authorizationUrl);
  const tampered = new URL(back);
  tampered.searchParams.set('state', 'x'.repeat(43));
  expect(await callback(tampered, cookie)).toMatchObject({ status: 401, body: { code: 'E4017' } });
  expect(await callback(back)).toMatchObject({ status: 401, body: { code: 'E4017' } });
  expect(await callback(back, `${cookie.slice(0, -4)}AAAA`)).toMatchObject({ status: 401, body: { code: 'E4017' } });
  const another = await begin();
  expect(await callback(back, another.cookie)).toMatchObject({ status: 401, body: { code: 'E4017' } });
  // the callback clears the cookie whatever the outcome
  const cleared = await callback(tampered, cookie);
  expect(cleared.headers.getSetCookie()[0]).toMatch(/^oidc_tx=; .*Max-Age=0$/);
  // none of these used up the code: the genuine callback still works
  expect((await callback(back, cookie)).status).toBe(200);
});

test('a replayed code is refused', async () => {
  await provider.signInAs({ sub: 'oidc-user-3', email: 'three@example.com', email_verified: true });
  const { cookie, authorizationUrl } = await begin();
  const back = await provider.authorize(authorizationUrl);
  expect((await callback(back, cookie)).status).toBe(200);
  expect(await callback(back, cookie)).toMatchObject({ status: 401, body: { code: 'E4017' } });
});

test('a first sign-in without a verified email, or with the email of a password account, creates and links nothing', async () => {
  await provider.signInAs({ sub: 'oidc-user-4', email: 'unverified@example.com', email_verified: false });
  expect(await signIn()).toMatchObject({ status: 401, body: { code: 'E4017' } });
  expect((await world.call('POST', '/api/auth/register', { body: { email: 'unverified@example.com', password: 'a-long-password-1', name: 'U' } })).status).toBe(201);

  const owner = await signUp(world, 'owner@example.com');
  await provider.signInAs({ sub: 'oidc-user-5', email: 'owner@example.com', email_verified: true });
  expect(await signIn()).toMatchObject({ status: 409, body: { code: 'E4014' } });
  // the password account is untouched and still its owner's
  expect((await world.call('GET', '/api/auth/me', { token: owner.access })).body.email).toBe('owner@example.com');
});

test('no code, sealed transaction or token of these sign-ins reaches a log line of the gateway or persona', () => {
  secrets.delete('');
  expect(secrets.size).toBeGreaterThan(10);
  const lines = world.logs();
  expect(lines.some((line) => line.includes('signed in with oidc'))).toBe(true);
  for (const secret of secrets) expect(lines.filter((line) => line.includes(secret))).toEqual([]);
});
