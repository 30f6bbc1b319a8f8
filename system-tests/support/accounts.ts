import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestSystem } from '@chatbot/testkit';

/**
 * Accounts as the system specs make them: an admin through the real `create-admin` command against
 * the system's database, others through the gateway's REST API.
 */
export interface ApiAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- specs read whatever came back
}

const CREATE_ADMIN = join(__dirname, '..', '..', 'services', 'persona', 'dist', 'accounts', 'create-admin.cli.js');

/** Runs `npm run create-admin`'s command; answers the admin's account id. */
export async function createAdmin(system: TestSystem, email: string, password: string, name?: string): Promise<string> {
  const args = [CREATE_ADMIN, '--email', email, '--password', password, ...(name ? ['--name', name] : [])];
  const { stdout } = await promisify(execFile)(process.execPath, args, { env: { ...process.env, DATABASE_URL: system.env.databaseUrl } });
  return (JSON.parse(stdout) as { id: string }).id;
}

/** One JSON call to the system's first gateway, as a bearer-token holder or anonymously. */
export async function callApi(system: TestSystem, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${system.gateways[0]}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** An access token for the account, or a failure naming it. */
export async function signIn(system: TestSystem, email: string, password: string): Promise<string> {
  const login = await callApi(system, 'POST', '/api/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login ${email}: ${login.status} ${JSON.stringify(login.body)}`);
  return login.body.access_token as string;
}

/** A new customer account; answers its id. */
export async function register(system: TestSystem, email: string, password = 'a-long-password-1'): Promise<string> {
  const registered = await callApi(system, 'POST', '/api/auth/register', { body: { email, password, name: email.split('@')[0] } });
  if (registered.status !== 201) throw new Error(`register ${email}: ${registered.status} ${JSON.stringify(registered.body)}`);
  return registered.body.id as string;
}
