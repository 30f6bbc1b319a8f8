import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { accessTokenEnv } from './config';
import { AccessTokenError, createAccessTokenSigner, createAccessTokenVerifier } from './access-token';
import { KeyConfigError } from './keys';

const env = z.object(accessTokenEnv);
const secret = randomBytes(32).toString('base64url');
const hsConfig = env.parse({ JWT_SECRET: secret, JWT_KID: 'k2' });
const signer = createAccessTokenSigner(hsConfig)!;
const verifier = createAccessTokenVerifier(hsConfig)!;
const subject = { accountId: '7a4c3b56-1a6f-4e0f-9d4e-6f8b1b2d9c10', role: 'customer' as const };
const now = () => Math.floor(Date.now() / 1000);

/** A token signed with `key` and any deviation from what persona signs. */
function forge(key: Uint8Array | KeyObject, changes: { alg?: string; kid?: string; typ?: string; iss?: string; aud?: string; exp?: number; nbf?: number; role?: string } = {}) {
  const t = now();
  return new jose.SignJWT({ role: changes.role ?? 'customer' })
    .setProtectedHeader({ alg: changes.alg ?? 'HS256', kid: changes.kid ?? 'k2', typ: changes.typ ?? 'at+jwt' })
    .setSubject(subject.accountId)
    .setIssuer(changes.iss ?? 'chatbot-platform')
    .setAudience(changes.aud ?? 'chatbot-platform')
    .setIssuedAt(t)
    .setNotBefore(changes.nbf ?? t)
    .setExpirationTime(changes.exp ?? t + 900)
    .sign(key);
}

const refused = async (token: string, reason: 'expired' | 'invalid' = 'invalid') => {
  const error = await verifier.verifyAccessToken(token).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AccessTokenError);
  expect((error as AccessTokenError).reason).toBe(reason);
};

const hsKey = new TextEncoder().encode(secret);
let jose: typeof import('jose', { with: { 'resolution-mode': 'import' } });
beforeAll(async () => {
  jose = await import('jose');
});

describe('access tokens (HS256)', () => {
  test('a token persona signs is accepted, with its subject, role and expiry', async () => {
    const token = await signer.signAccessToken(subject);
    const caller = await verifier.verifyAccessToken(token);
    expect(caller).toEqual({ ...subject, expiresAt: expect.any(Number) });
    expect(caller.expiresAt - now()).toBeGreaterThan(890);
  });

  test('an expired token is refused as expired (beyond the clock tolerance)', async () => {
    await refused(await forge(hsKey, { exp: now() - 10 }), 'expired');
  });

  test('a token not valid yet (nbf in the future) is refused', async () => {
    await refused(await forge(hsKey, { nbf: now() + 120 }));
  });

  test('a tampered payload is refused', async () => {
    const [header, , signature] = (await signer.signAccessToken(subject)).split('.');
    const payload = jose.base64url.encode(JSON.stringify({ sub: subject.accountId, role: 'admin', iss: 'chatbot-platform', aud: 'chatbot-platform', iat: now(), nbf: now(), exp: now() + 900 }));
    await refused(`${header}.${payload}.${signature}`);
  });

  test('alg none is refused', async () => {
    const unsecured = new jose.UnsecuredJWT({ role: 'admin' }).setSubject(subject.accountId).setIssuer('chatbot-platform').setAudience('chatbot-platform').setIssuedAt().setNotBefore(now()).setExpirationTime('15m').encode();
    await refused(unsecured);
  });

  test('another audience, another issuer, another token type are refused', async () => {
    await refused(await forge(hsKey, { aud: 'someone-else' }));
    await refused(await forge(hsKey, { iss: 'https://evil.example' }));
    await refused(await forge(hsKey, { typ: 'JWT' }));
  });

  test('a token signed with another key, or naming an unknown kid, is refused', async () => {
    await refused(await forge(randomBytes(32)));
    await refused(await forge(hsKey, { kid: 'k9' }));
  });

  test('an unknown role is refused', async () => {
    await refused(await forge(hsKey, { role: 'root' }));
  });

  test('a previous key listed in JWT_PREVIOUS_KEYS is still accepted by its kid; the current one is too', async () => {
    const old = randomBytes(32);
    const rotated = createAccessTokenVerifier(env.parse({ JWT_SECRET: secret, JWT_KID: 'k2', JWT_PREVIOUS_KEYS: JSON.stringify({ keys: [{ kty: 'oct', kid: 'k1', k: old.toString('base64url') }] }) }))!;
    await expect(rotated.verifyAccessToken(await forge(old, { kid: 'k1' }))).resolves.toMatchObject(subject);
    await expect(rotated.verifyAccessToken(await forge(hsKey))).resolves.toMatchObject(subject);
    // the old key under the current kid is not
    await expect(rotated.verifyAccessToken(await forge(old, { kid: 'k2' }))).rejects.toBeInstanceOf(AccessTokenError);
  });

  test('no key configured: accounts are off (no signer, no verifier)', () => {
    expect(createAccessTokenSigner(env.parse({}))).toBeNull();
    expect(createAccessTokenVerifier(env.parse({}))).toBeNull();
  });
});

describe('access tokens (EdDSA)', () => {
  const pair = generateKeyPairSync('ed25519');
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const edSigner = createAccessTokenSigner(env.parse({ JWT_ALG: 'EdDSA', JWT_PRIVATE_KEY: privatePem }))!;
  const edVerifier = createAccessTokenVerifier(env.parse({ JWT_ALG: 'EdDSA', JWT_PUBLIC_KEY: publicPem.replaceAll('\n', '\\n') }))!;

  test('the gateway verifies with the public key alone', async () => {
    await expect(edVerifier.verifyAccessToken(await edSigner.signAccessToken(subject))).resolves.toMatchObject(subject);
  });

  test('algorithm confusion: an HS256 token keyed with the public key bytes is refused', async () => {
    const token = await forge(new TextEncoder().encode(publicPem), { kid: 'k1' });
    await expect(edVerifier.verifyAccessToken(token)).rejects.toBeInstanceOf(AccessTokenError);
  });

  test('a token signed with another Ed25519 key is refused', async () => {
    const other = generateKeyPairSync('ed25519');
    await expect(edVerifier.verifyAccessToken(await forge(other.privateKey, { alg: 'EdDSA', kid: 'k1' }))).rejects.toBeInstanceOf(AccessTokenError);
  });

  test('a key of the wrong type stops the start-up', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => createAccessTokenVerifier(env.parse({ JWT_ALG: 'EdDSA', JWT_PUBLIC_KEY: rsa }))).toThrow(KeyConfigError);
  });
});

describe('access tokens (RS256)', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  test('signed with the private key, verified with the public key; a short RSA key stops the start-up', async () => {
    const rsSigner = createAccessTokenSigner(env.parse({ JWT_ALG: 'RS256', JWT_PRIVATE_KEY: privatePem }))!;
    const rsVerifier = createAccessTokenVerifier(env.parse({ JWT_ALG: 'RS256', JWT_PUBLIC_KEY: publicPem }))!;
    await expect(rsVerifier.verifyAccessToken(await rsSigner.signAccessToken(subject))).resolves.toMatchObject(subject);
    // an EdDSA-pinned verifier refuses the RS256 token even when the header names a known kid
    const edPem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const edVerifier = createAccessTokenVerifier(env.parse({ JWT_ALG: 'EdDSA', JWT_PUBLIC_KEY: edPem }))!;
    await expect(edVerifier.verifyAccessToken(await rsSigner.signAccessToken(subject))).rejects.toBeInstanceOf(AccessTokenError);
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => createAccessTokenVerifier(env.parse({ JWT_ALG: 'RS256', JWT_PUBLIC_KEY: short }))).toThrow(/at least 2048 bits/);
  });

  test('a retired public key in JWT_PREVIOUS_KEYS (a JWK) still verifies its tokens by kid', async () => {
    const old = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const oldSigner = createAccessTokenSigner(env.parse({ JWT_ALG: 'RS256', JWT_KID: 'old', JWT_PRIVATE_KEY: old.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }))!;
    const previous = JSON.stringify({ keys: [{ ...old.publicKey.export({ format: 'jwk' }), kid: 'old' }] });
    const rotated = createAccessTokenVerifier(env.parse({ JWT_ALG: 'RS256', JWT_KID: 'new', JWT_PUBLIC_KEY: publicPem, JWT_PREVIOUS_KEYS: previous }))!;
    await expect(rotated.verifyAccessToken(await oldSigner.signAccessToken(subject))).resolves.toMatchObject(subject);
  });
});
