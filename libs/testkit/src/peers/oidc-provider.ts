import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface OidcClientFixture { client_id: string; client_secret: string; redirect_uris: string[] }
export interface OidcUserFixture { sub: string; email?: string; email_verified?: boolean; name?: string }

export interface OidcProviderFixture {
  issuer: string;
  /** The user the next interaction signs in. */
  signInAs(user: OidcUserFixture): Promise<void>;
  /**
   * Plays the browser at the provider: follows redirects from an authorization URL (with the
   * provider's cookies) until it sends the browser away, and returns that URL (the client's
   * redirect URL with `code` and `state`).
   */
  authorize(authorizationUrl: string): Promise<URL>;
  stop(): Promise<void>;
}

/** Starts oidc-provider.server.js in a child process with these clients. */
export async function startOidcProvider(clients: OidcClientFixture[]): Promise<OidcProviderFixture> {
  const child = spawn(process.execPath, [join(__dirname, 'oidc-provider.server.js'), JSON.stringify({ clients })], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { issuer: string }).issuer));
    child.once('exit', (code) => reject(new Error(`oidc provider exited ${code}: ${stderr}`)));
  });
  return {
    issuer,
    async signInAs(user) {
      const res = await fetch(`${issuer}/test/user`, { method: 'POST', body: JSON.stringify(user) });
      if (res.status !== 204) throw new Error(`signInAs: ${res.status}`);
    },
    authorize: (url) => followAtProvider(issuer, url),
    stop: () => stopChild(child),
  };
}

async function followAtProvider(issuer: string, start: string): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = new URL(start);
  for (let hop = 0; hop < 10; hop += 1) {
    if (url.origin !== new URL(issuer).origin) return url;
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`provider answered ${res.status} without a redirect: ${await res.text()}`);
    url = new URL(location, url);
  }
  throw new Error('too many redirects at the provider');
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
