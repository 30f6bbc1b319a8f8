import { Client } from 'pg';
import { createAdmin, signUp, startAuthWorld, type AuthWorld } from '../../test/auth.harness';

/**
 * Who may do what: login throttling per account and per address, roles set by admins only, and
 * API keys within their scopes and lifetime. Real gateway, real persona, real database.
 */
let world: AuthWorld;
let pg: Client;

beforeAll(async () => {
  world = await startAuthWorld({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '6', LOGIN_THROTTLE_WINDOW_SECONDS: '600' });
  pg = new Client({ connectionString: world.env.databaseUrl });
  await pg.connect();
});
afterAll(async () => {
  await pg?.end();
  await world?.stop();
});

const login = (email: string, password: string, from: string) => world.call('POST', '/api/auth/login', { body: { email, password }, from });

test('brute force on one account is throttled with 429 and Retry-After, even with the right password', async () => {
  const victim = await signUp(world, 'victim@example.com', 'victim-password-1', '198.51.100.1');
  const addresses = ['198.51.100.2', '198.51.100.3', '198.51.100.4'];
  for (const from of addresses) expect((await login('victim@example.com', `guess-${from}`, from)).body.code).toBe('E4011');
  const throttled = await login('victim@example.com', 'victim-password-1', '198.51.100.5');
  expect(throttled).toMatchObject({ status: 429, body: { code: 'E4004', retry_after: expect.any(Number) } });
  const retryAfter = Number(throttled.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(590);
  expect(retryAfter).toBeLessThanOrEqual(600);
  // a logged-in session cannot be used to guess on: changing the password is throttled the same way
  const change = await world.call('POST', '/api/auth/change-password', { token: victim.access, body: { current_password: 'victim-password-1', new_password: 'victim-password-2' }, from: '198.51.100.7' });
  expect(change).toMatchObject({ status: 429, body: { code: 'E4004' } });
  expect(Number(change.headers.get('retry-after'))).toBeGreaterThan(0);
  // an unknown email answers exactly like a wrong password, and is throttled the same way
  expect((await login('nobody@example.com', 'whatever-1', '198.51.100.6')).body).toEqual({ error: 'Invalid email or password', code: 'E4011' });
});

test('one address trying many accounts is throttled per address', async () => {
  const from = '203.0.113.99';
  for (let i = 0; i < 6; i += 1) expect((await login(`spray${i}@example.com`, 'Password1!', from)).status).toBe(401);
  const throttled = await login('spray-next@example.com', 'Password1!', from);
  expect(throttled.status).toBe(429);
  expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  // another address is not affected
  expect((await login('spray-next@example.com', 'Password1!', '203.0.113.100')).status).toBe(401);
});

test('only an admin sets roles; the new role is in the next token', async () => {
  const customer = await signUp(world, 'customer@example.com');
  const other = await signUp(world, 'future-agent@example.com');
  const admin = await createAdmin(world, 'boss@example.com', 'boss-password-1');
  const adminLogin = await login('boss@example.com', 'boss-password-1', '192.0.2.50');
  const adminToken = adminLogin.body.access_token as string;

  const byCustomer = await world.call('PUT', `/api/admin/accounts/${other.id}/role`, { token: customer.access, body: { role: 'agent' } });
  expect(byCustomer).toMatchObject({ status: 403, body: { code: 'E4013' } });
  const byAdmin = await world.call('PUT', `/api/admin/accounts/${other.id}/role`, { token: adminToken, body: { role: 'agent' } });
  expect(byAdmin).toMatchObject({ status: 200, body: { id: other.id, role: 'agent' } });
  expect((await world.call('PUT', `/api/admin/accounts/${admin.id}/role`, { token: adminToken, body: { role: 'customer' } })).status).toBe(403);
  expect((await world.call('PUT', `/api/admin/accounts/${other.id}/role`, { token: adminToken, body: { role: 'root' } })).status).toBe(422);
  expect((await world.call('PUT', '/api/admin/accounts/00000000-0000-4000-8000-000000000000/role', { token: adminToken, body: { role: 'agent' } })).body.code).toBe('E4016');

  const refreshed = await world.call('POST', '/api/auth/refresh', { body: { refresh_token: other.refresh } });
  const claims = JSON.parse(Buffer.from((refreshed.body.access_token as string).split('.')[1], 'base64url').toString());
  expect(claims.role).toBe('agent');

  // a token still saying admin does not help an account whose role was taken away: persona checks the database
  await pg.query(`UPDATE persona.accounts SET role = 'customer' WHERE id = $1`, [admin.id]);
  expect((await world.call('PUT', `/api/admin/accounts/${customer.id}/role`, { token: adminToken, body: { role: 'agent' } })).status).toBe(403);
  await pg.query(`UPDATE persona.accounts SET role = 'admin' WHERE id = $1`, [admin.id]);
});

test('API keys: shown once, accepted within their scopes, refused when revoked or expired', async () => {
  await createAdmin(world, 'keys@example.com', 'keys-password-1');
  const adminToken = (await login('keys@example.com', 'keys-password-1', '192.0.2.51')).body.access_token as string;
  const customer = await signUp(world, 'nokeys@example.com');
  expect((await world.call('POST', '/api/admin/api-keys', { token: customer.access, body: { name: 'mine', scopes: ['chat'] } })).status).toBe(403);

  const created = await world.call('POST', '/api/admin/api-keys', { token: adminToken, body: { name: 'ci bot', scopes: ['chat'] } });
  expect(created.status).toBe(201);
  const { key, id, prefix } = created.body as { key: string; id: string; prefix: string };
  expect(key.startsWith(`${prefix}_`)).toBe(true);
  const days = (Date.parse(created.body.expires_at) - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(89.9); // API_KEY_EXPIRY_DAYS
  const listed = await world.call('GET', '/api/admin/api-keys', { token: adminToken });
  expect(listed.body.api_keys).toEqual([expect.objectContaining({ id, prefix, scopes: ['chat'], revoked_at: null })]);
  expect(JSON.stringify(listed.body)).not.toContain(key);

  expect((await world.call('GET', '/api/auth/me', { apiKey: key })).body.email).toBe('keys@example.com');
  expect((await world.call('GET', '/api/admin/api-keys', { apiKey: key })).status).toBe(403); // no admin scope
  expect((await world.call('POST', '/api/auth/change-password', { apiKey: key, body: {} })).status).toBe(403); // tokens only
  expect((await world.call('GET', '/api/auth/me', { apiKey: `${key.slice(0, -2)}xx` })).status).toBe(401);

  const admin = (await world.call('POST', '/api/admin/api-keys', { token: adminToken, body: { name: 'ops', scopes: ['admin', 'chat'], expires_in_days: 1 } })).body;
  expect((await world.call('GET', '/api/admin/api-keys', { apiKey: admin.key })).body.api_keys).toHaveLength(2);

  expect((await world.call('DELETE', `/api/admin/api-keys/${id}`, { token: adminToken })).body.revoked_at).not.toBeNull();
  expect((await world.call('GET', '/api/auth/me', { apiKey: key })).status).toBe(401);
  await pg.query(`UPDATE persona.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [admin.id]);
  expect((await world.call('GET', '/api/auth/me', { apiKey: admin.key })).status).toBe(401);

  for (const line of world.logs()) {
    expect(line).not.toContain(key);
    expect(line).not.toContain(admin.key);
  }
});
