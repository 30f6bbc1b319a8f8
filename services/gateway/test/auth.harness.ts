/**
 * Shared by the account specs: a real gateway and a real persona (accounts on, HS256), an HTTP
 * client that can speak as any client address, and the steps most specs start with.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWorld, type GatewayWorld, type Peer } from './harness';

export const JWT_SECRET = 'gateway-itest-jwt-secret-0123456789abcdef';

export interface AuthWorld extends GatewayWorld {
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** Every line both services logged so far. */
  logs(): string[];
}

export interface CallOptions {
  body?: unknown;
  /** A raw body (sent as JSON content). */
  raw?: string;
  token?: string;
  apiKey?: string;
  /** The client address (the gateway trusts one proxy hop in these specs). */
  from?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- specs read whatever came back
}

/** `peers`: real services beside persona (chat-log for the conversation and chat socket specs). */
export async function startAuthWorld(persona: Record<string, string> = {}, gateway: Record<string, string> = {}, peers: Peer[] = []): Promise<AuthWorld> {
  const world = await startWorld(
    { JWT_SECRET, TRUST_PROXY: '1', API_KEY_CACHE_SECONDS: '0', REQUEST_TIMEOUT_MS: '5000', ...gateway },
    { peers: ['persona', ...peers], peerEnv: { persona: { JWT_SECRET, ...persona } } },
  );
  return {
    ...world,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { 'x-forwarded-for': options.from ?? '192.0.2.10' };
      if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.apiKey) headers['x-api-key'] = options.apiKey;
      const raw = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      const res = await fetch(`${world.http}${path}`, { method, headers, body: raw });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
    logs: () => [...world.gateway.logs, ...world.services.get('persona')!.logs],
  };
}

/** Registers an account and logs it in; returns its id and tokens. */
export async function signUp(world: AuthWorld, email: string, password = 'a-long-password-1', from?: string) {
  const registered = await world.call('POST', '/api/auth/register', { body: { email, password, name: email.split('@')[0] }, from });
  if (registered.status !== 201) throw new Error(`register ${email}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await world.call('POST', '/api/auth/login', { body: { email, password }, from });
  if (login.status !== 200) throw new Error(`login ${email}: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: registered.body.id as string, access: login.body.access_token as string, refresh: login.body.refresh_token as string, password };
}

/** `npm run create-admin`'s compiled script against the world's database. */
export async function createAdmin(world: GatewayWorld, email: string, password: string): Promise<{ id: string }> {
  const cli = join(__dirname, '..', '..', 'persona', 'dist', 'accounts', 'create-admin.cli.js');
  const { stdout } = await promisify(execFile)(process.execPath, [cli, '--email', email, '--password', password], {
    env: { ...process.env, DATABASE_URL: world.env.databaseUrl },
  });
  return JSON.parse(stdout) as { id: string };
}

/** Signs a token like persona does but with any deviation, with the test's own jose. */
export async function forgeToken(changes: { secret?: string; alg?: string; kid?: string; aud?: string; iss?: string; exp?: number; sub: string; role?: string }): Promise<string> {
  const jose = await import('jose');
  const now = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ role: changes.role ?? 'customer' })
    .setProtectedHeader({ alg: changes.alg ?? 'HS256', kid: changes.kid ?? 'k1', typ: 'at+jwt' })
    .setSubject(changes.sub)
    .setIssuer(changes.iss ?? 'chatbot-platform')
    .setAudience(changes.aud ?? 'chatbot-platform')
    .setIssuedAt(now - 1000)
    .setNotBefore(now - 1000)
    .setExpirationTime(changes.exp ?? now + 600)
    .sign(new TextEncoder().encode(changes.secret ?? JWT_SECRET));
}
