import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OpenID provider (the certified `oidc-provider` package) for sign-in tests, in its own
 * process because the package is an ES module that our CommonJS tests cannot `require`.
 * argv[2]: JSON `{ clients: [{ client_id, client_secret, redirect_uris }] }`. Prints
 * `{"issuer"}` once listening. The interaction signs in, without a form, the user last given to
 * `POST /test/user` (`{ sub, email?, email_verified?, name? }`) and grants the requested scopes.
 */
interface User { sub: string; email?: string; email_verified?: boolean; name?: string }

/** The little of oidc-provider's API used here (the package ships no type declarations). */
interface KoaContext { path: string; req: IncomingMessage; res: ServerResponse; redirect(url: string): void }
interface ProviderInstance {
  use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ params: Record<string, unknown> }>;
  interactionResult(req: IncomingMessage, res: ServerResponse, result: object, options: object): Promise<string>;
  Grant: new (fields: { accountId: string; clientId: string }) => { addOIDCScope(scope: string): void; save(): Promise<string> };
}
type ProviderClass = new (issuer: string, configuration: object) => ProviderInstance;
const packageName = 'oidc-provider';

async function main(): Promise<void> {
  const { clients } = JSON.parse(process.argv[2] ?? '{}') as { clients: object[] };
  const { default: Provider } = (await import(packageName)) as { default: ProviderClass };
  let user: User = { sub: 'user-1', email: 'user-1@example.com', email_verified: true, name: 'User One' };
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // a key of its own, so two providers never vouch for each other's tokens
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: clients as never,
    jwks: { keys: [{ ...jwk, kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' }] as never },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // put the scopes' claims in the id_token itself, as Google does
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ ...user, sub }) }),
  });
  provider.use(async (ctx, next) => {
    if (ctx.path.startsWith('/interaction/')) {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      const grant = new provider.Grant({ accountId: user.sub, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      const result = { login: { accountId: user.sub }, consent: { grantId } };
      ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
      return;
    }
    await next();
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'POST' && req.url === '/test/user') {
      void readJson(req).then((body) => {
        user = body as User;
        res.writeHead(204).end();
      });
      return;
    }
    callback(req, res);
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
