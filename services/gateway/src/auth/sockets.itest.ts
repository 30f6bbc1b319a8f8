import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startService, type RunningService } from '@chatbot/testkit';
import { createAdmin, forgeToken, JWT_SECRET, signUp, startAuthWorld, type AuthWorld } from '../../test/auth.harness';
import { answer, eventually, newMessageId, sendStored, TestSocket } from '../../test/harness';

/**
 * Signed-in chat sockets against a real gateway, persona and chat-log: the credential at the
 * upgrade, who may open which session, an account's tabs on two gateways, and the close when an
 * access token expires. Tokens are refused like an attacker would try them.
 */
let world: AuthWorld;
let second: RunningService;
let strict: RunningService;
let alice: Awaited<ReturnType<typeof signUp>>;
let bob: Awaited<ReturnType<typeof signUp>>;

/** No clock skew allowed, so the expiry specs need not wait for it; API keys are checked again every 2 s. */
const gatewayEnv = { JWT_CLOCK_TOLERANCE_SECONDS: '0', API_KEY_CACHE_SECONDS: '2' };

beforeAll(async () => {
  world = await startAuthWorld({}, { ...gatewayEnv, GATEWAY_ID: 'gw-a' }, ['chat-log']);
  const common = { ...world.env.env, JWT_SECRET, ...gatewayEnv };
  [second, strict] = await Promise.all([
    startService('gateway', { ...common, GATEWAY_ID: 'gw-b' }, { instance: 'b' }),
    startService('gateway', { ...common, GATEWAY_ID: 'gw-strict', AUTH_REQUIRED: 'true' }, { instance: 'strict' }),
  ]);
  [alice, bob] = await Promise.all([signUp(world, 'alice@example.com'), signUp(world, 'bob@example.com')]);
});
afterAll(async () => {
  await Promise.all([second, strict].map((service) => service?.process.stop('SIGTERM', 15_000)));
  await world?.stop();
});

const wsOf = (service: RunningService, path = '/api/chat/ws') => `ws://127.0.0.1:${service.ports.http}${path}`;
const withToken = (url: string, token: string) => `${url}${url.includes('?') ? '&' : '?'}token=${token}`;
const resumeUrl = (base: string, sessionId: string, lastSeq: number) => `${base}?protocol=2&session_id=${sessionId}&last_seq=${lastSeq}`;
const sessionAccess = (sessionId: string, userId: string | null) => world.bus.request('sessionAccess', { session_id: sessionId, user_id: userId }).then((r) => r.access);
const replySeqs = (socket: TestSocket) => socket.frames.flatMap((f) => ((f as { type?: string }).type === 'reply' ? [[(f as { seq: number }).seq, (f as { message_id: string }).message_id]] : []));

/** Opens a socket that the gateway is expected to close at once; returns the close and what came before it. */
async function refused(url: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}) {
  const socket = await TestSocket.open(url, options.protocols, { headers: options.headers });
  await eventually(() => expect(socket.closed).not.toBeNull());
  return { ...socket.closed!, frames: socket.frames };
}

/** A v2 socket of an account on a new session (the session frame read). */
async function openSession(token: string, base = world.ws) {
  const socket = await TestSocket.open(withToken(base, token), ['chat.v2']);
  const [session] = await socket.waitFor((f) => f.type === 'session');
  return { socket, sessionId: session.session_id as string };
}

/** alg none: a token anyone can write; made by hand, since jose refuses to make one. */
function unsignedToken(sub: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub, role: 'admin', iss: 'chatbot-platform', aud: 'chatbot-platform', iat: now, nbf: now, exp: now + 600 };
  return `${part({ alg: 'none', typ: 'at+jwt', kid: 'k1' })}.${part(claims)}.`;
}

describe('the credential at the upgrade', () => {
  test('an access token in ?token=, in Authorization: Bearer, or as a bearer. subprotocol opens a signed-in socket', async () => {
    const viaQuery = await TestSocket.open(withToken(world.ws, alice.access), ['chat.v2']);
    const viaHeader = await TestSocket.open(world.ws, ['chat.v2'], { headers: { authorization: `Bearer ${alice.access}` } });
    const viaProtocol = await TestSocket.open(world.ws, ['chat.v2', `bearer.${alice.access}`]);
    const viaProtocolV1 = await TestSocket.open(world.ws, ['chat.v1', `bearer.${alice.access}`]);
    // the chat protocol is selected, never the entry carrying the token
    expect([viaQuery, viaHeader, viaProtocol, viaProtocolV1].map((s) => s.ws.protocol)).toEqual(['chat.v2', 'chat.v2', 'chat.v2', 'chat.v1']);
    for (const socket of [viaQuery, viaHeader, viaProtocol]) {
      const [session] = await socket.waitFor((f) => f.type === 'session');
      const messageId = newMessageId();
      await sendStored(socket, messageId);
      // the message carried its sender: chat-log made the account the session's owner
      expect(await sessionAccess(session.session_id as string, alice.id)).toBe('owner');
      expect(await sessionAccess(session.session_id as string, bob.id)).toBe('other');
    }
    const [v1Session] = await viaProtocolV1.waitFor((f) => typeof f.session_id === 'string');
    viaProtocolV1.send({ message_id: newMessageId(), message: '안녕', sender: 'user', timestamp: new Date().toISOString() });
    await eventually(async () => expect(await sessionAccess(v1Session.session_id as string, alice.id)).toBe('owner'));
    await Promise.all([viaQuery, viaHeader, viaProtocol, viaProtocolV1].map((s) => s.close()));
    for (const line of world.logs()) expect(line).not.toContain(alice.access);
  });

  test('an API key with the chat scope opens a socket as its account; one without it is refused', async () => {
    await createAdmin(world, 'keys@example.com', 'keys-password-1');
    const admin = (await world.call('POST', '/api/auth/login', { body: { email: 'keys@example.com', password: 'keys-password-1' } })).body.access_token as string;
    const chatKey = (await world.call('POST', '/api/admin/api-keys', { token: admin, body: { name: 'bot', scopes: ['chat'] } })).body.key as string;
    const adminKey = (await world.call('POST', '/api/admin/api-keys', { token: admin, body: { name: 'ops', scopes: ['admin'] } })).body.key as string;
    const socket = await TestSocket.open(world.ws, ['chat.v2'], { headers: { 'x-api-key': chatKey } });
    const [session] = await socket.waitFor((f) => f.type === 'session');
    await sendStored(socket, newMessageId());
    const me = (await world.call('GET', '/api/auth/me', { apiKey: chatKey })).body.id as string;
    expect(await sessionAccess(session.session_id as string, me)).toBe('owner');
    await socket.close();
    expect(await refused(world.ws, { headers: { 'x-api-key': adminKey } })).toMatchObject({ code: 4401, reason: 'API key without the chat scope', frames: [] });
    expect(await refused(world.ws, { headers: { 'x-api-key': `${chatKey.slice(0, -2)}xx` } })).toMatchObject({ code: 4401, reason: 'API key invalid', frames: [] });
    for (const line of world.logs()) expect(line).not.toContain(chatKey);
  });

  test('forged, expired, alg none, wrong audience, wrong issuer and doubled credentials are refused with 4401 before any frame', async () => {
    const now = Math.floor(Date.now() / 1000);
    const attempts: Array<[string, string]> = [
      ['token invalid', await forgeToken({ sub: alice.id, secret: 'another-secret-of-the-same-length-000' })],
      ['token expired', await forgeToken({ sub: alice.id, exp: now - 30 })],
      ['token invalid', unsignedToken(alice.id)],
      ['token invalid', await forgeToken({ sub: alice.id, aud: 'another-service' })],
      ['token invalid', await forgeToken({ sub: alice.id, iss: 'someone-else' })],
      ['token invalid', await forgeToken({ sub: alice.id, kid: 'k9' })],
      ['token invalid', `${alice.access.slice(0, -4)}AAAA`],
    ];
    for (const [reason, token] of attempts) {
      expect(await refused(withToken(world.ws, token), { protocols: ['chat.v2'] })).toEqual({ code: 4401, reason, frames: [] });
      expect(await refused(world.ws, { protocols: ['chat.v2', `bearer.${token}`] })).toMatchObject({ code: 4401, reason, frames: [] });
    }
    const twice = await refused(withToken(world.ws, alice.access), { headers: { authorization: `Bearer ${bob.access}` } });
    expect(twice).toEqual({ code: 4401, reason: 'more than one credential', frames: [] });
    for (const [, token] of attempts) for (const line of world.logs()) expect(line).not.toContain(token);
  });

  test('anonymous sockets work as before, unless the deployment sets AUTH_REQUIRED', async () => {
    const anonymous = await TestSocket.open(world.ws);
    await anonymous.waitFor((f) => typeof f.session_id === 'string');
    await anonymous.close();
    expect(await refused(wsOf(strict))).toEqual({ code: 4401, reason: 'authentication required', frames: [] });
    expect(await refused(wsOf(strict, '/ws/emotion'))).toMatchObject({ code: 4401, reason: 'authentication required' });
    const signedIn = await openSession(alice.access, wsOf(strict));
    await signedIn.socket.close();
  });
});

describe('who may open a session', () => {
  test("another account's session, or an anonymous caller on it, is answered 4404 as if it did not exist", async () => {
    const { socket, sessionId } = await openSession(alice.access);
    await sendStored(socket, newMessageId());
    const asBob = await refused(withToken(resumeUrl(world.ws, sessionId, 0), bob.access));
    expect(asBob).toEqual({ code: 4404, reason: 'session not found', frames: [] });
    expect(await refused(resumeUrl(world.ws, sessionId, 0))).toEqual({ code: 4404, reason: 'session not found', frames: [] });
    expect(await refused(withToken(`${wsOf(world.gateway, '/ws/chat')}?session_id=${sessionId}`, bob.access))).toMatchObject({ code: 4404, frames: [] });
    expect(await refused(`${wsOf(second, '/ws/emotion')}?session_id=${sessionId}`)).toMatchObject({ code: 4404, frames: [] });
    const mine = await TestSocket.open(withToken(resumeUrl(world.ws, sessionId, 1), alice.access));
    expect((await mine.waitFor((f) => f.type === 'session'))[0]).toMatchObject({ session_id: sessionId, resumed: true });
    expect(socket.closed).toBeNull(); // an account's sockets share the session: nobody is evicted
    await Promise.all([socket.close(), mine.close()]);
  });

  test('a session nobody wrote to is open to anyone, until its first message: then only its owner stays', async () => {
    // another account, then an anonymous caller, names a fresh session id on the other gateway
    for (const intruderUrl of [(id: string) => withToken(resumeUrl(wsOf(second), id, 0), bob.access), (id: string) => resumeUrl(wsOf(second), id, 0)]) {
      const sessionId = randomUUID();
      const intruder = await TestSocket.open(intruderUrl(sessionId));
      const owner = await TestSocket.open(withToken(resumeUrl(world.ws, sessionId, 0), alice.access));
      await Promise.all([intruder, owner].map((socket) => socket.waitFor((f) => f.type === 'session')));
      const messageId = newMessageId();
      await sendStored(owner, messageId);
      await answer(world.bus, sessionId, messageId);
      await owner.waitFor((f) => f.type === 'reply');
      await eventually(() => expect(intruder.closed).toEqual({ code: 4404, reason: 'session not found' }));
      expect(intruder.frames.map((f) => (f as { type: string }).type)).toEqual(['session']);
      await owner.close();
    }
  });

  test('an account may not take over an anonymous session', async () => {
    const anonymous = await TestSocket.open(world.ws, ['chat.v2']);
    const [session] = await anonymous.waitFor((f) => f.type === 'session');
    const sessionId = session.session_id as string;
    await sendStored(anonymous, newMessageId());
    await anonymous.close();
    expect(await refused(withToken(resumeUrl(world.ws, sessionId, 0), alice.access))).toMatchObject({ code: 4404, frames: [] });
    const again = await TestSocket.open(resumeUrl(world.ws, sessionId, 0));
    await again.waitFor((f) => f.type === 'session');
    await again.close();
  });
});

describe("an account's tabs", () => {
  test('two tabs on two gateways and a third beside the first each receive every frame once, in seq order', async () => {
    const tab1 = await openSession(alice.access);
    const { sessionId } = tab1;
    const tab2 = await TestSocket.open(withToken(resumeUrl(wsOf(second), sessionId, 0), alice.access));
    const tab3 = await TestSocket.open(withToken(resumeUrl(world.ws, sessionId, 0), alice.access));
    await Promise.all([tab2, tab3].map((tab) => tab.waitFor((f) => f.type === 'session')));
    const sent: string[] = [];
    for (const [i, tab] of [tab1.socket, tab2, tab3, tab2, tab1.socket].entries()) {
      const messageId = `tab-${i}-${newMessageId()}`;
      await sendStored(tab, messageId);
      sent.push(messageId);
    }
    // the worker streams the first answer to every tab, then chat-log commits each answer in turn
    await world.bus.publish('sessionDelivery', sessionId, { type: 'delta', message_id: sent[0], index: 0, text: '안' });
    for (const messageId of sent) await answer(world.bus, sessionId, messageId);
    const expected = sent.map((messageId, i) => [i + 1, messageId]);
    for (const tab of [tab1.socket, tab2, tab3]) {
      await tab.waitFor((f) => f.type === 'reply', sent.length);
      await tab.waitFor((f) => f.type === 'delta' && f.message_id === sent[0]);
      expect(replySeqs(tab)).toEqual(expected);
      expect(tab.closed).toBeNull();
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more comes: no frame twice
    for (const tab of [tab1.socket, tab2, tab3]) expect(replySeqs(tab)).toEqual(expected);
    await Promise.all([tab1.socket.close(), tab2.close(), tab3.close()]);
  });

  test('a second socket on an anonymous session still replaces the first (4001)', async () => {
    const first = await TestSocket.open(world.ws, ['chat.v2']);
    const [session] = await first.waitFor((f) => f.type === 'session');
    const next = await TestSocket.open(resumeUrl(world.ws, session.session_id as string, 0));
    await next.waitFor((f) => f.type === 'session');
    await eventually(() => expect(first.closed?.code).toBe(4001));
    await next.close();
  });
});

describe('an expiring API key', () => {
  test('a socket opened with an API key is closed 4401 when the key expires', async () => {
    await createAdmin(world, 'expiring@example.com', 'keys-password-1');
    const admin = (await world.call('POST', '/api/auth/login', { body: { email: 'expiring@example.com', password: 'keys-password-1' } })).body.access_token as string;
    const created = (await world.call('POST', '/api/admin/api-keys', { token: admin, body: { name: 'short', scopes: ['chat'] } })).body;
    const pg = new Client({ connectionString: world.env.databaseUrl });
    await pg.connect();
    try {
      await pg.query(`UPDATE persona.api_keys SET expires_at = now() + interval '3 seconds' WHERE id = $1`, [created.id]);
    } finally {
      await pg.end();
    }
    const socket = await TestSocket.open(world.ws, ['chat.v2'], { headers: { 'x-api-key': created.key } });
    await socket.waitFor((f) => f.type === 'session');
    await eventually(() => expect(socket.closed).toEqual({ code: 4401, reason: 'token expired' }), 8_000);
    expect(await refused(world.ws, { headers: { 'x-api-key': created.key } })).toMatchObject({ code: 4401, reason: 'API key invalid' });
  });
});

describe('a revoked API key', () => {
  test('its open chat and agents\' sockets are closed 4401 "API key revoked" within the recheck period; a socket of another key stays', async () => {
    await createAdmin(world, 'revoker@example.com', 'keys-password-1');
    const admin = (await world.call('POST', '/api/auth/login', { body: { email: 'revoker@example.com', password: 'keys-password-1' } })).body.access_token as string;
    const doomed = (await world.call('POST', '/api/admin/api-keys', { token: admin, body: { name: 'doomed', scopes: ['chat'] } })).body;
    const kept = (await world.call('POST', '/api/admin/api-keys', { token: admin, body: { name: 'kept', scopes: ['chat'] } })).body;
    const open = async (key: string) => {
      const socket = await TestSocket.open(world.ws, ['chat.v2'], { headers: { 'x-api-key': key } });
      await socket.waitFor((f) => f.type === 'session');
      return socket;
    };
    const [first, second, other] = [await open(doomed.key), await open(doomed.key), await open(kept.key)];
    // the agents' socket takes the same key (its account is an admin): it follows the key too
    const agents = await TestSocket.open(`${world.http.replace(/^http/, 'ws')}/api/admin/ws`, [], { headers: { 'x-api-key': doomed.key } });
    await agents.waitFor((f) => f.type === 'ready');
    expect((await world.call('DELETE', `/api/admin/api-keys/${doomed.id}`, { token: admin })).status).toBe(200);
    for (const socket of [first, second, agents]) await eventually(() => expect(socket.closed).toEqual({ code: 4401, reason: 'API key revoked' }), 8_000);
    expect(other.closed).toBeNull();
    await sendStored(other, newMessageId());
    await other.close();
  });
});

describe('an expiring access token', () => {
  test('an idle socket is closed 4401 "token expired" when its token expires', async () => {
    const token = await forgeToken({ sub: alice.id, exp: Math.floor(Date.now() / 1000) + 2 });
    const { socket } = await openSession(token);
    await eventually(() => expect(socket.closed).toEqual({ code: 4401, reason: 'token expired' }), 6_000);
  });

  test('closes after the reply in progress; the client refreshes, resumes, and loses no frame', async () => {
    const token = await forgeToken({ sub: alice.id, exp: Math.floor(Date.now() / 1000) + 3 });
    const tab = await openSession(token);
    const { sessionId } = tab;
    const other = await TestSocket.open(withToken(resumeUrl(wsOf(second), sessionId, 0), alice.access));
    await other.waitFor((f) => f.type === 'session');
    const inProgress = `in-progress-${newMessageId()}`;
    await sendStored(tab.socket, inProgress);
    await world.bus.publish('sessionDelivery', sessionId, { type: 'delta', message_id: inProgress, index: 0, text: '안' });
    await tab.socket.waitFor((f) => f.type === 'delta');
    await new Promise((resolve) => setTimeout(resolve, 3_500)); // the token has expired: the stream goes on
    expect(tab.socket.closed).toBeNull();
    const late = `late-${newMessageId()}`;
    tab.socket.send({ message_id: late, message: 'after expiry' });
    const [refusal] = await tab.socket.waitFor((f) => f.type === 'error' && f.message_id === late);
    expect(refusal).toMatchObject({ code: 'E4012' });
    await world.bus.publish('sessionDelivery', sessionId, { type: 'delta', message_id: inProgress, index: 1, text: '녕' });
    await answer(world.bus, sessionId, inProgress);
    await eventually(() => expect(tab.socket.closed).toEqual({ code: 4401, reason: 'token expired' }));
    const types = tab.socket.frames.map((f) => (f as { type: string }).type).filter((type) => type !== 'error');
    expect(types.slice(-3)).toEqual(['delta', 'delta', 'reply']); // the whole reply, then the close
    expect(replySeqs(tab.socket)).toEqual([[1, inProgress]]);
    // while it has no socket, another tab's message is answered: seq 2 waits in chat-log
    const fromOther = `other-${newMessageId()}`;
    await sendStored(other, fromOther);
    await answer(world.bus, sessionId, fromOther);
    await other.waitFor((f) => f.type === 'reply', 2);
    // refresh, resume from the last seq seen, send again what was refused
    const refreshed = await world.call('POST', '/api/auth/refresh', { body: { refresh_token: alice.refresh } });
    alice = { ...alice, access: refreshed.body.access_token, refresh: refreshed.body.refresh_token };
    const resumed = await TestSocket.open(withToken(resumeUrl(world.ws, sessionId, 1), alice.access));
    await resumed.waitFor((f) => f.type === 'reply');
    await sendStored(resumed, late);
    await answer(world.bus, sessionId, late);
    await resumed.waitFor((f) => f.type === 'reply', 2);
    expect(replySeqs(resumed)).toEqual([[2, fromOther], [3, late]]);
    await other.waitFor((f) => f.type === 'reply', 3);
    expect(replySeqs(other)).toEqual([[1, inProgress], [2, fromOther], [3, late]]);
    await Promise.all([resumed.close(), other.close()]);
  });
});
