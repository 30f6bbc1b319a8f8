import { createLogger } from '@chatbot/runtime';
import { startOidcProvider, type OidcProviderFixture } from '@chatbot/testkit';
import { OidcProvider, type OidcSettings } from './oidc.provider';
import { TransactionSealer } from './oidc.transaction';

/**
 * Persona's side of OpenID Connect against real providers (oidc-provider in child processes):
 * provider A with our client and another client, provider B (another issuer) with our client's id.
 */
const REDIRECT = 'https://chat.example.test/api/auth/oidc/callback';
const ours = { client_id: 'chatbot', client_secret: 'chatbot-client-secret-0123456789', redirect_uris: [REDIRECT] };
const other = { client_id: 'another-app', client_secret: 'another-app-secret-0123456789', redirect_uris: [REDIRECT] };
const log = createLogger('oidc-itest', 'silent');

let a: OidcProviderFixture;
let b: OidcProviderFixture;
beforeAll(async () => {
  [a, b] = await Promise.all([startOidcProvider([ours, other]), startOidcProvider([ours])]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

const settings = (fixture: OidcProviderFixture, client = ours): OidcSettings => ({
  issuer: fixture.issuer,
  clientId: client.client_id,
  clientSecret: client.client_secret,
  redirectUrl: REDIRECT,
  scopes: 'openid email profile',
  clockToleranceSeconds: 5,
});

/** One sign-in at a provider up to the token endpoint: the id_token and the nonce it was asked for. */
async function idTokenFrom(fixture: OidcProviderFixture, client = ours) {
  const provider = new OidcProvider(settings(fixture, client), log);
  const tx = TransactionSealer.fresh();
  const url = await provider.authorizationUrl({ state: tx.state, nonce: tx.nonce, codeChallenge: TransactionSealer.challenge(tx.codeVerifier) });
  const back = await fixture.authorize(url);
  expect(back.searchParams.get('state')).toBe(tx.state);
  const code = back.searchParams.get('code')!;
  return { provider, code, codeVerifier: tx.codeVerifier, nonce: tx.nonce, idToken: await provider.redeem(code, tx.codeVerifier) };
}

test('an id_token of this sign-in verifies and names the provider user', async () => {
  await a.signInAs({ sub: 'alice', email: 'Alice@Example.com', email_verified: true, name: 'Alice' });
  const { provider, idToken, nonce } = await idTokenFrom(a);
  expect(await provider.verify(idToken, nonce)).toEqual({ issuer: a.issuer, subject: 'alice', email: 'alice@example.com', emailVerified: true, name: 'Alice' });
});

test('a wrong nonce is refused', async () => {
  const { provider, idToken } = await idTokenFrom(a);
  await expect(provider.verify(idToken, TransactionSealer.fresh().nonce)).rejects.toMatchObject({ code: 'E4017' });
});

test('a replayed code and a code without its PKCE verifier are refused by the provider', async () => {
  const { provider, code, codeVerifier } = await idTokenFrom(a);
  await expect(provider.redeem(code, codeVerifier)).rejects.toMatchObject({ code: 'E4017' });
  const tx = TransactionSealer.fresh();
  const back = await a.authorize(await provider.authorizationUrl({ state: tx.state, nonce: tx.nonce, codeChallenge: TransactionSealer.challenge(tx.codeVerifier) }));
  await expect(provider.redeem(back.searchParams.get('code')!, TransactionSealer.fresh().codeVerifier)).rejects.toMatchObject({ code: 'E4017' });
});

test('an id_token from another issuer is refused, even for the same client id', async () => {
  const fromB = await idTokenFrom(b);
  const verifierOfA = new OidcProvider(settings(a), log);
  await expect(verifierOfA.verify(fromB.idToken, fromB.nonce)).rejects.toMatchObject({ code: 'E4017' });
  expect((await fromB.provider.verify(fromB.idToken, fromB.nonce)).issuer).toBe(b.issuer);
});

test('an id_token the same provider issued to another client (audience) is refused', async () => {
  const forOther = await idTokenFrom(a, other);
  const verifierOfOurs = new OidcProvider(settings(a), log);
  await expect(verifierOfOurs.verify(forOther.idToken, forOther.nonce)).rejects.toMatchObject({ code: 'E4017' });
  expect((await forOther.provider.verify(forOther.idToken, forOther.nonce)).subject).toBeTruthy();
});

test('a sealed transaction opens only unaltered and under its own key', async () => {
  const sealer = new TransactionSealer(ours.client_secret);
  const tx = TransactionSealer.fresh();
  const sealed = await sealer.seal(tx);
  expect(await sealer.open(sealed)).toEqual(tx);
  const flipped = sealed.slice(0, -3) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-2);
  await expect(sealer.open(flipped)).rejects.toMatchObject({ code: 'E4017' });
  await expect(new TransactionSealer(other.client_secret).open(sealed)).rejects.toMatchObject({ code: 'E4017' });
});

test('an id_token signed with alg none or with HS256 (the client secret as key) is refused', async () => {
  await a.signInAs({ sub: 'mallory', email: 'mallory@example.com', email_verified: true });
  const { provider, idToken, nonce } = await idTokenFrom(a);
  const jose = await import('jose');
  const claims = jose.decodeJwt(idToken);
  const unsigned = new jose.UnsecuredJWT(claims).encode();
  const hmac = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(ours.client_secret));
  await expect(provider.verify(unsigned, nonce)).rejects.toMatchObject({ code: 'E4017' });
  await expect(provider.verify(hmac, nonce)).rejects.toMatchObject({ code: 'E4017' });
  expect((await provider.verify(idToken, nonce)).subject).toBe('mallory');
});
