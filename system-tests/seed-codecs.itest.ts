import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createAccessTokenSigner, type AccessTokenConfig } from '@chatbot/auth';
import { startStubLlm, startSystem, TestSocket, type StubLlm, type TestSystem } from '@chatbot/testkit';

/**
 * Seed 001's and seed 002's clients against the whole system (real NATS, Postgres and service
 * processes; only the LLM is a stub speaking OpenAI's streaming format), with the frames their seed
 * documents show: a FAQ answered from the cache, an LLM answer streamed, bad frames refused, and
 * seed 001's socket refused without a valid access token.
 */
const JWT_SECRET = 'seed-codecs-itest-jwt-secret-0123456789abcdef';
const FAQ = '카드를 일시적으로 정지할수 있나요?';
const LLM_ANSWER = '그랬구나. 요즘 어떤 일이 있었는지 조금 더 이야기해 줄래?';

let stub: StubLlm;
let system: TestSystem;
let db: Client;
let token: string;

beforeAll(async () => {
  stub = await startStubLlm();
  stub.setScript({ text: LLM_ANSWER, tokenDelayMs: 2 });
  system = await startSystem({ env: { LLM_BASE_URL: stub.url, LLM_MODEL: 'stub-model', REPLY_TIMEOUT_MS: '15000', JWT_SECRET } });
  db = new Client({ connectionString: system.env.databaseUrl });
  await db.connect();
  token = await signIn('seed001@example.com');
}, 120_000);
afterAll(async () => {
  await db?.end();
  await system?.stop();
  await stub?.close();
});

type Frame = Record<string, unknown>;

async function signIn(email: string): Promise<string> {
  const post = (path: string, body: unknown) =>
    fetch(system.gateways[0] + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const password = 'a-long-password-1';
  expect((await post('/api/auth/register', { email, password, name: 'Seed One' })).status).toBe(201);
  const login = await post('/api/auth/login', { email, password });
  expect(login.status).toBe(200);
  return ((await login.json()) as { access_token: string }).access_token;
}

const wsUrl = (path: string, query: string) => `${system.gateways[0].replace('http', 'ws')}${path}?${query}`;

async function closedWith(socket: TestSocket): Promise<{ code: number; reason: string }> {
  for (const deadline = Date.now() + 5_000; !socket.closed && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
  return socket.closed ?? { code: 0, reason: 'still open' };
}

/** The frames after `from` up to the `typing: false` that ends one seed 001 answer. */
async function seed001Answer(socket: TestSocket, from: number): Promise<Frame[]> {
  await socket.waitFor((f) => f.type === 'typing' && f.is_typing === false && socket.frames.indexOf(f) >= from, 1, 30_000);
  const frames = socket.frames.slice(from) as Frame[];
  return frames.slice(0, frames.findIndex((f) => f.type === 'typing' && f.is_typing === false) + 1);
}

describe('seed 001: /ws/chat', () => {
  test('a FAQ question: typing on, the cached answer as response_chunk, typing off; stored once', async () => {
    const sessionId = randomUUID();
    const socket = await TestSocket.open(wsUrl('/ws/chat', `token=${token}&session_id=${sessionId}`));
    socket.send({ type: 'message', content: FAQ, session_id: sessionId });
    const frames = await seed001Answer(socket, 0);
    expect(frames[0]).toEqual({ type: 'typing', is_typing: true });
    const chunks = frames.filter((f) => f.type === 'response_chunk');
    expect(chunks.length).toBeGreaterThan(0);
    expect(Object.keys(chunks[0]).sort()).toEqual(['content', 'message_id', 'type']);
    expect(new Set(chunks.map((c) => c.message_id)).size).toBe(1);
    expect(chunks.map((c) => c.content).join('')).toMatch(/^\[카드관리\]\n\n질문: 카드를 일시적으로 정지할수 있나요\?\n\n답변: /);
    expect(frames.map((f) => f.type)).toEqual(['typing', ...chunks.map(() => 'response_chunk'), 'typing']);
    const stored = await db.query('SELECT message_id, text FROM chat_log.messages WHERE session_id = $1', [sessionId]);
    expect(stored.rows).toEqual([{ message_id: chunks[0].message_id, text: FAQ }]);
    await socket.close();
  });

  test('an LLM answer streams as pieces that join into the committed answer; rejoining shows no past answer', async () => {
    const sessionId = randomUUID();
    const socket = await TestSocket.open(wsUrl('/ws/chat', `token=${token}&session_id=${sessionId}`));
    socket.send({ type: 'message', content: '요즘 잠이 잘 안 와요', session_id: sessionId });
    const chunks = (await seed001Answer(socket, 0)).filter((f) => f.type === 'response_chunk');
    expect(chunks.length).toBeGreaterThan(1); // streamed, not one frame
    expect(chunks.map((c) => c.content).join('')).toBe(LLM_ANSWER);
    const committed = await db.query('SELECT message FROM chat_log.replies WHERE prompt_message_id = $1', [chunks[0].message_id]);
    expect(committed.rows).toEqual([{ message: LLM_ANSWER }]);
    await socket.close();

    // Another tab later: the same session, only the new answer.
    const again = await TestSocket.open(wsUrl('/ws/chat', `token=${token}&session_id=${sessionId}`));
    again.send({ type: 'message', content: FAQ });
    const next = (await seed001Answer(again, 0)).filter((f) => f.type === 'response_chunk');
    expect(next.map((c) => c.content).join('')).toMatch(/^\[카드관리\]/);
    expect(again.frames.filter((f) => (f as Frame).content === LLM_ANSWER)).toHaveLength(0);
    await again.close();
  });

  test('bad frames get error frames and the socket stays open', async () => {
    const sessionId = randomUUID();
    const socket = await TestSocket.open(wsUrl('/ws/chat', `token=${token}&session_id=${sessionId}`));
    socket.send('not json');
    socket.send({ type: 'subscribe' });
    socket.send({ type: 'message', content: '  ' });
    socket.send({ type: 'message', content: 'hi', session_id: randomUUID() });
    const errors = await socket.waitFor((f) => f.type === 'error', 4);
    expect(errors.map((e) => e.code)).toEqual(['E4001', 'E4009', 'E4002', 'E4002']);
    expect(errors[3].error).toMatch(/session_id/);
    expect(socket.closed).toBeNull();
    expect(Number((await db.query('SELECT count(*) FROM chat_log.messages WHERE session_id = $1', [sessionId])).rows[0].count)).toBe(0);
    await socket.close();
  });

  test('no token, a tampered token or a wrong key: closed with 4401 before anything is taken', async () => {
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const otherKey = { JWT_ALG: 'HS256', JWT_SECRET: 'another-deployment-secret-0123456789abcdef', JWT_KID: 'k1', JWT_ISSUER: 'chatbot-platform', JWT_AUDIENCE: 'chatbot-platform', ACCESS_TOKEN_TTL_SECONDS: 900, JWT_CLOCK_TOLERANCE_SECONDS: 5 } as AccessTokenConfig;
    const wrongKey = await createAccessTokenSigner(otherKey)!.signAccessToken({ accountId: randomUUID(), role: 'admin' });
    for (const [query, reason] of [
      [`session_id=${randomUUID()}`, 'authentication required'],
      [`token=${forged}&session_id=${randomUUID()}`, 'token invalid'],
      [`token=not.a.jwt&session_id=${randomUUID()}`, 'token invalid'],
      [`token=${wrongKey}&session_id=${randomUUID()}`, 'token invalid'],
    ]) {
      const socket = await TestSocket.open(wsUrl('/ws/chat', query));
      socket.send({ type: 'message', content: FAQ });
      expect(await closedWith(socket)).toEqual({ code: 4401, reason });
      expect(socket.frames).toEqual([]);
    }
  });
});

describe('seed 002: /ws/emotion', () => {
  test('the session first, an LLM answer as token pieces, then done with step_id and created_at', async () => {
    const socket = await TestSocket.open(wsUrl('/ws/emotion', `user_id=${randomUUID()}`));
    const [first] = await socket.waitFor(() => true);
    expect(Object.keys(first)).toEqual(['session_id']);
    socket.send({ user_input: '요즘 기분이 별로야.', step_type: 'normal' });
    const [done] = await socket.waitFor((f) => f.done === true, 1, 30_000);
    const frames = socket.frames.slice(1) as Frame[];
    const tokens = frames.slice(0, -1);
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.every((f) => Object.keys(f).join() === 'token')).toBe(true);
    expect(tokens.map((f) => f.token).join('')).toBe(LLM_ANSWER);
    expect(Object.keys(done).sort()).toEqual(['created_at', 'done', 'step_id']);
    expect(Number.isNaN(Date.parse(done.created_at as string))).toBe(false);
    const stored = await db.query('SELECT text FROM chat_log.messages WHERE session_id = $1 AND message_id = $2', [first.session_id, done.step_id]);
    expect(stored.rows).toEqual([{ text: '요즘 기분이 별로야.' }]);
    await socket.close();
  });

  test('a FAQ question on a named session: one token with the cached answer, then done', async () => {
    const sessionId = randomUUID();
    const socket = await TestSocket.open(wsUrl('/ws/emotion', `user_id=${randomUUID()}&session_id=${sessionId}`));
    socket.send({ user_input: FAQ });
    await socket.waitFor((f) => f.done === true, 1, 30_000);
    const frames = socket.frames as Frame[];
    expect(frames[0]).toEqual({ session_id: sessionId });
    expect(frames.slice(1, -1).map((f) => f.token).join('')).toMatch(/^\[카드관리\]/);
    await socket.close();
  });

  test('an anonymous system_prompt is refused with E4013 and nothing is stored; bad frames get errors', async () => {
    const socket = await TestSocket.open(wsUrl('/ws/emotion', `user_id=${randomUUID()}`));
    const [first] = await socket.waitFor(() => true);
    socket.send({ user_input: '요즘 기분이 별로야.', step_type: 'normal', system_prompt: '너는 감정 전문 상담사야' });
    socket.send({ step_type: 'normal' });
    socket.send('[1,2]');
    const errors = await socket.waitFor((f) => typeof f.error === 'string', 3);
    expect(errors).toEqual([
      { error: 'system_prompt: not allowed for this caller', code: 'E4013', step_id: expect.any(String) },
      { error: 'user_input: is required', code: 'E4002' },
      { error: 'Invalid JSON format', code: 'E4001' },
    ]);
    expect(Number((await db.query('SELECT count(*) FROM chat_log.messages WHERE session_id = $1', [first.session_id])).rows[0].count)).toBe(0);
    expect(socket.closed).toBeNull();
    await socket.close();
  });
});
