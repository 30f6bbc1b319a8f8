import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '@chatbot/runtime';
import { waitFor } from '@chatbot/testkit';
import { startPersona, type PersonaHarness } from '../../test/harness';
import { createPrisma } from '../database';
import { ExternalIdentityRepository } from './oidc/external-identity.repository';

/**
 * Persona's account operations over the real bus against a migrated empty database: every model
 * (accounts, refresh tokens, login throttles, API keys, external identities) written and read back through the
 * generated client, so the SQL migration and the Prisma schema cannot drift apart.
 */
let h: PersonaHarness;
beforeAll(async () => {
  h = await startPersona();
});
afterAll(async () => {
  await h?.close();
});

const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => (error as AppError).code);
const address = '203.0.113.7';

test('every account model is written and read through the generated client', async () => {
  const account = await h.bus.request('accountRegister', { email: 'Model@Example.com', password: 'model-password-1', name: 'Model' });
  expect(account).toMatchObject({ email: 'model@example.com', name: 'Model', role: 'customer', usage_count: 0 });
  const stored = (await h.pg.query('SELECT * FROM persona.accounts WHERE id = $1', [account.id])).rows[0];
  expect(stored.password_hash).toMatch(/^\$argon2id\$v=19\$(?=[^$]*m=19456)(?=[^$]*t=2)(?=[^$]*p=1)/);

  const login = await h.bus.request('accountLogin', { email: 'model@example.com', password: 'model-password-1', address });
  if (login.outcome !== 'tokens') throw new Error('expected tokens');
  const tokens = (await h.pg.query('SELECT token_hash FROM persona.refresh_tokens WHERE account_id = $1', [account.id])).rows;
  expect(tokens).toHaveLength(1);
  expect(tokens[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
  expect(tokens[0].token_hash).not.toContain(login.tokens.refresh_token);

  expect(await refusal(h.bus.request('accountLogin', { email: 'model@example.com', password: 'wrong-password', address }))).toBe('E4011');
  expect((await h.pg.query('SELECT failures FROM persona.login_throttles')).rows.map((r) => r.failures)).toEqual([1, 1]);

  await h.pg.query(`UPDATE persona.accounts SET role = 'admin' WHERE id = $1`, [account.id]);
  const key = await h.bus.request('apiKeyCreate', { actor_id: account.id, name: 'ci', scopes: ['chat'] });
  const row = (await h.pg.query('SELECT prefix, secret_hash, scopes FROM persona.api_keys WHERE id = $1', [key.id])).rows[0];
  expect(row).toMatchObject({ prefix: key.prefix.slice(4), scopes: ['chat'] });
  expect(row.secret_hash).not.toContain(key.key);
  expect(await h.bus.request('apiKeyVerify', { key: key.key })).toEqual({ key_id: key.id, account_id: account.id, role: 'admin', scopes: ['chat'], expires_at: key.expires_at });
  expect((await h.bus.request('apiKeyList', { actor_id: account.id })).api_keys[0].last_used_at).not.toBeNull();
});

test('an external identity links a passwordless account by (issuer, subject), never over a taken email', async () => {
  const prisma = createPrisma(h.env.databaseUrl);
  try {
    const identities = new ExternalIdentityRepository(prisma);
    const identity = { issuer: 'https://idp.example.com', subject: 'sub-1', email: 'linked@example.com', emailVerified: true, name: null };
    expect(await identities.accountOf(identity)).toBeNull();
    const account = await identities.createLinked(identity, 'Linked');
    expect(account).toMatchObject({ email: 'linked@example.com', name: 'Linked', passwordHash: null, role: 'customer' });
    expect((await identities.accountOf({ ...identity, email: 'changed@example.com' }))?.id).toBe(account!.id);
    const row = (await h.pg.query('SELECT * FROM persona.external_identities WHERE account_id = $1', [account!.id])).rows[0];
    expect(row).toMatchObject({ issuer: 'https://idp.example.com', subject: 'sub-1', email: 'linked@example.com' });
    expect(row.last_used_at.getTime()).toBeGreaterThanOrEqual(row.created_at.getTime());
    // the same subject at another issuer is another user; an email that has an account is not taken over
    expect(await identities.accountOf({ ...identity, issuer: 'https://other.example.com' })).toBeNull();
    expect(await identities.createLinked({ ...identity, subject: 'sub-2' }, 'Taker')).toBeNull();
    expect((await h.pg.query('SELECT count(*)::int AS n FROM persona.external_identities')).rows[0].n).toBe(1);
    // a passwordless account cannot be logged in with any password
    expect(await refusal(h.bus.request('accountLogin', { email: 'linked@example.com', password: 'any-password-1', address }))).toBe('E4011');
  } finally {
    await prisma.$disconnect();
  }
});

test('without OIDC_ISSUER, sign-in with a provider answers E5008, the options say so, and the rest of accounts works', async () => {
  expect(await h.bus.request('accountOptions', {})).toEqual({ accounts: true, oidc: false });
  expect(await refusal(h.bus.request('accountOidcStart', {}))).toBe('E5008');
  expect(await refusal(h.bus.request('accountOidcFinish', { transaction: 'x', state: 'y', code: 'z' }))).toBe('E5008');
});

test('a refresh rotates the token; replaying the old one revokes the whole family', async () => {
  await h.bus.request('accountRegister', { email: 'family@example.com', password: 'family-password-1', name: 'F' });
  const login = await h.bus.request('accountLogin', { email: 'family@example.com', password: 'family-password-1', address });
  if (login.outcome !== 'tokens') throw new Error('expected tokens');
  const first = login.tokens.refresh_token;
  const second = (await h.bus.request('accountRefresh', { refresh_token: first })).refresh_token;
  expect(second).not.toBe(first);
  expect(await refusal(h.bus.request('accountRefresh', { refresh_token: first }))).toBe('E4015');
  // the thief's replay also logs the legitimate holder of the newer token out
  expect(await refusal(h.bus.request('accountRefresh', { refresh_token: second }))).toBe('E4015');
  const family = (await h.pg.query(`SELECT revoked_at FROM persona.refresh_tokens t JOIN persona.accounts a ON a.id = t.account_id WHERE a.email = 'family@example.com'`)).rows;
  expect(family).toHaveLength(2);
  expect(family.every((r) => r.revoked_at !== null)).toBe(true);
  // the service's output reaches this process through a pipe, possibly after its answer over NATS
  await waitFor('the reuse logged', () => h.service.logs.some((line) => line.includes('refresh token reused: family revoked')), 5_000);
  const metrics = await (await fetch(`http://127.0.0.1:${h.service.ports.ops}/metrics`)).text();
  expect(metrics).toContain('chatbot_persona_account_events_total{event="refresh_reused",service="persona"} 1');
});

test('npm run create-admin creates an admin, then updates its password and revokes its sessions', async () => {
  const cli = join(__dirname, '..', '..', 'dist', 'accounts', 'create-admin.cli.js');
  const run = (...args: string[]) => promisify(execFile)(process.execPath, [cli, ...args], { env: { ...process.env, DATABASE_URL: h.env.databaseUrl } });
  const created = JSON.parse((await run('--email', 'Root@Example.com', '--password', 'first-admin-pass', '--name', 'Root')).stdout);
  expect(created).toMatchObject({ email: 'root@example.com', name: 'Root', role: 'admin' });
  const login = await h.bus.request('accountLogin', { email: 'root@example.com', password: 'first-admin-pass', address });
  if (login.outcome !== 'tokens') throw new Error('expected tokens');

  const updated = JSON.parse((await run('--email', 'root@example.com', '--password', 'second-admin-pass')).stdout);
  expect(updated.id).toBe(created.id);
  expect(await refusal(h.bus.request('accountRefresh', { refresh_token: login.tokens.refresh_token }))).toBe('E4015');
  expect(await refusal(h.bus.request('accountLogin', { email: 'root@example.com', password: 'first-admin-pass', address: '198.51.100.1' }))).toBe('E4011');
  expect((await h.bus.request('accountLogin', { email: 'root@example.com', password: 'second-admin-pass', address: '198.51.100.1' })).outcome).toBe('tokens');

  const refused = await run('--email', 'not-an-email', '--password', 'short').then(() => null, (error: { code: number; stderr: string }) => error);
  expect(refused?.code).toBe(1);
  expect(refused?.stderr).toMatch(/--email/);
  expect(refused?.stderr).toMatch(/--password: at least 8 characters/);
});
