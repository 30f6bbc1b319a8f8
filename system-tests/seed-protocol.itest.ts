import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { isBotFrame, startSystem, TestSocket, type TestSystem } from '@chatbot/testkit';

/**
 * The seed client's whole protocol against the real system: five services as processes, real
 * NATS and Postgres, nothing replaced (no LLM is configured, so llm-dispatch answers with its
 * retrieval answerer). Each test reads like a step the React client takes.
 */
let system: TestSystem;
let db: Client;

beforeAll(async () => {
  system = await startSystem({ gateways: 2, env: { REPLY_TIMEOUT_MS: '12000' } });
  db = new Client({ connectionString: system.env.databaseUrl });
  await db.connect();
}, 120_000);
afterAll(async () => {
  await db?.end();
  await system?.stop();
});

type Frame = Record<string, unknown>;
const http = (path: string, init?: RequestInit, gateway = 0) => fetch(system.gateways[gateway] + path, init);
const postJson = (path: string, body: unknown, gateway = 0) =>
  http(path, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://client.example' }, body: JSON.stringify(body) }, gateway);

async function openSession(gateway = 0): Promise<{ socket: TestSocket; sessionId: string }> {
  const socket = await TestSocket.open(system.ws(gateway));
  const [first] = await socket.waitFor(() => true);
  expect(Object.keys(first)).toEqual(['session_id']);
  return { socket, sessionId: first.session_id as string };
}

/** Sends like the client (with sender and timestamp) and waits for the matching bot frame. */
async function ask(socket: TestSocket, message: string): Promise<Frame> {
  const messageId = randomUUID();
  socket.send({ message_id: messageId, message, sender: 'user', timestamp: new Date().toISOString() });
  const [reply] = await socket.waitFor((f) => isBotFrame(f) && f.message_id === messageId, 1, 30_000);
  return reply;
}

const storedMessages = async (sessionId: string) =>
  Number((await db.query('SELECT count(*) FROM chat_log.messages WHERE session_id = $1', [sessionId])).rows[0].count);

describe('page load and handshake', () => {
  test('the menu calls answer with the most viewed FAQs and terms, with CORS for the client origin', async () => {
    const faq = await http('/api/qna/faq?top_k=3', { headers: { origin: 'http://client.example' } });
    expect(faq.status).toBe(200);
    expect(faq.headers.get('access-control-allow-origin')).toBeTruthy();
    const faqs = (await faq.json()) as Array<{ faq_id: string; question: string; views: number }>;
    expect(faqs).toHaveLength(3);
    expect(faqs.map((f) => f.faq_id)).toEqual(['FAQ-001', 'FAQ-002', 'FAQ-003']);
    expect(faqs[0].views).toBeGreaterThanOrEqual(faqs[1].views);

    const terms = (await (await http('/api/qna/terms?top_k=6')).json()) as Array<{ term_id: string; term: string; definition: string }>;
    expect(terms.map((t) => t.term)).toEqual(['연회비', '캐시백', '신용 한도', '리볼빙', '현금서비스', '카드론']);
    expect(Object.keys(terms[0]).sort()).toEqual(['definition', 'term', 'term_id']);
    expect((await http('/api/qna/faq')).status).toBe(200);
    expect((await http('/api/qna/faq?top_k=zero')).status).toBe(400);
    expect((await http('/api/qna/terms?top_k=0')).status).toBe(400);
  });

  test('a preflight for a JSON POST is answered', async () => {
    const res = await http('/api/login/', {
      method: 'OPTIONS',
      headers: { origin: 'http://client.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });

  test('health answers on both paths', async () => {
    for (const path of ['/api/health', '/api/health/']) expect(await (await http(path)).json()).toEqual({ status: 'ok' });
  });
});

describe('answers', () => {
  test('an exact FAQ question is answered from the cache in the seed format and counts a view', async () => {
    const topTen = async () => (await (await http('/api/qna/faq?top_k=10')).json()) as Array<{ faq_id: string; views: number }>;
    const before = await topTen();
    const { socket } = await openSession();
    const reply = await ask(socket, '카드를 일시적으로 정지할수 있나요?');
    expect(reply).toMatchObject({ sender: 'bot', login_required: false });
    expect(reply.message).toMatch(/^\[카드관리\]\n\n질문: 카드를 일시적으로 정지할수 있나요\?\n\n답변: /);
    expect(reply).not.toHaveProperty('tool_name');
    const views = (list: typeof before) => list.find((f) => f.faq_id === 'FAQ-010')?.views ?? 0;
    // views are written once a second (VIEW_FLUSH_MS)
    let after = await topTen();
    for (const deadline = Date.now() + 5_000; views(after) === views(before) && Date.now() < deadline; after = await topTen()) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(views(after)).toBe(views(before) + 1);
    await socket.close();
  });

  test('each of the five tools answers its kind of question with the seed fields', async () => {
    const { socket } = await openSession();
    const faq = await ask(socket, '카드를 잃어버렸어요');
    expect(faq).toMatchObject({ tool_name: 'query_faq_database', login_required: false });
    expect((faq.related_questions as string[]).length).toBeGreaterThan(0);

    const term = await ask(socket, '리볼빙이 뭐야?');
    expect(term).toMatchObject({ tool_name: 'query_term_database' });
    expect(term.message).toMatch(/리볼빙/);

    const describe = await ask(socket, '카드의 정석2의 혜택과 이용조건에 대해서 알려줘');
    expect(describe).toMatchObject({ tool_name: 'get_card_description' });
    expect(describe.card_list).toContain('카드의정석2');

    const recommend = await ask(socket, '편의점/카페/배달 위주로 할인 많이 받는 카드 추천해줘.');
    expect(recommend).toMatchObject({ tool_name: 'get_card_recommendation' });
    const cardNames = (require('../services/qna-cache/data/cards.json') as Array<{ name: string }>).map((c) => c.name);
    for (const name of recommend.card_list as string[]) expect(cardNames).toContain(name);

    const spending = await ask(socket, '내 소비 패턴에 맞는 카드를 추천해줘');
    expect(spending).toMatchObject({ tool_name: 'consumption_recommend', login_required: true });
    await socket.close();
  });

  test('several messages sent without waiting are answered once each, in order, cache hits and tools mixed', async () => {
    const { socket, sessionId } = await openSession();
    const texts = ['신용카드는 어떻게 발급받을 수 있나요?', '리볼빙이 뭐야?', '연회비', '카드를 잃어버렸어요', '캐시백', '해외여행 갈 때 좋은 카드 추천해줘'];
    const ids = texts.map(() => randomUUID());
    texts.forEach((message, i) => socket.send({ message_id: ids[i], message }));
    const replies = await socket.waitFor(isBotFrame, texts.length, 30_000);
    expect(replies.map((r) => r.message_id)).toEqual(ids);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(socket.frames.filter((f) => isBotFrame(f as Frame))).toHaveLength(texts.length);
    expect(await storedMessages(sessionId)).toBe(texts.length);
    await socket.close();
  });
});

describe('login and the spending-based recommendation', () => {
  test('the client flow: login_required, reconnect, personas, login on the fresh session, pushed cards', async () => {
    const first = await openSession();
    const asked = await ask(first.socket, '내 소비 패턴에 맞는 카드를 추천해줘');
    expect(asked).toMatchObject({ login_required: true, tool_name: 'consumption_recommend' });
    const personas = (await (await http('/api/chat/personas')).json()) as { personas: Array<{ id: number; name: string }> };
    expect(personas.personas).toHaveLength(7);
    expect(await (await http('/api/login/personas')).json()).toEqual(personas);
    await first.socket.close();

    // the client reconnects and logs in on a session that has sent nothing yet
    const { socket, sessionId } = await openSession();
    const login = await postJson('/api/login/', { session_id: sessionId, persona_id: 4 });
    expect(login.status).toBe(200);
    const [push] = await socket.waitFor(isBotFrame, 1, 15_000);
    expect(push).toMatchObject({ tool_name: 'consumption_recommend', login_required: false });
    expect(push.card_list).toHaveLength(2);
    expect(typeof push.message_id).toBe('string');

    const bound = await postJson('/api/login/persona_id', { session_id: sessionId });
    expect(await bound.json()).toEqual({ persona_id: 4 });
    const now = await ask(socket, '내 소비 패턴에 맞는 카드를 추천해줘');
    expect(now).toMatchObject({ tool_name: 'consumption_recommend', login_required: false });
    expect(now.card_list).toEqual(push.card_list);
    await socket.close();
  });

  test('login errors: unknown persona 404, no live session 404, bad body 422; persona_id lookups', async () => {
    const { socket, sessionId } = await openSession();
    expect((await postJson('/api/login', { session_id: sessionId, persona_id: 999 })).status).toBe(404);
    expect((await postJson('/api/login/', { session_id: randomUUID(), persona_id: 1 })).status).toBe(404);
    expect((await postJson('/api/login/', { session_id: 'not-a-uuid', persona_id: 1 })).status).toBe(422);
    expect((await postJson('/api/login/', { persona_id: 1 })).status).toBe(422);
    expect(await (await postJson('/api/login/persona_id', { session_id: sessionId })).json()).toEqual({ persona_id: null });
    expect((await postJson('/api/login/persona_id', { session_id: randomUUID() })).status).toBe(404);
    expect((await postJson('/api/login/persona_id', {})).status).toBe(422);
    await socket.close();
  });
});

describe('feedback', () => {
  test('thumbs up, changed to down, on a bot reply; unknown message 404; bad body 422', async () => {
    const { socket } = await openSession();
    const reply = await ask(socket, '연회비');
    const send = (is_helpful: boolean | null, message_id = reply.message_id) =>
      postJson('/api/chat/feedback', { message_id, is_helpful, prompt_message_id: message_id });
    const up = await send(true);
    expect(await up.json()).toEqual({ status: 'success', message_id: reply.message_id, feedback_received: true });
    expect(await (await send(false)).json()).toMatchObject({ feedback_received: false });
    const stored = await db.query('SELECT is_helpful FROM chat_log.replies WHERE frame_message_id = $1', [reply.message_id]);
    expect(stored.rows).toEqual([{ is_helpful: false }]);
    expect((await send(true, 'no-such-message')).status).toBe(404);
    expect((await postJson('/api/chat/feedback', { message_id: reply.message_id, is_helpful: 'yes' })).status).toBe(422);
    await socket.close();
  });
});

describe('malformed input', () => {
  test('every bad frame gets one short error frame, the socket stays open and nothing is stored', async () => {
    const { socket, sessionId } = await openSession();
    const bad: Array<string | Buffer> = [
      'not json',
      '[1,2,3]',
      '"a string"',
      JSON.stringify({ message: 'no id' }),
      JSON.stringify({ message_id: 'x1' }),
      JSON.stringify({ message_id: 'x2', message: '   ' }),
      JSON.stringify({ message_id: 42, message: 'wrong type' }),
      JSON.stringify({ message_id: 'x3', message: '가'.repeat(4001) }),
      Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    ];
    for (const frame of bad) socket.ws.send(frame, { binary: Buffer.isBuffer(frame) });
    const errors = await socket.waitFor((f) => typeof f.error === 'string', bad.length);
    expect(errors[0]).toEqual({ error: 'Invalid JSON format' });
    for (const e of errors) expect((e.error as string).length).toBeLessThan(120);
    expect(socket.closed).toBeNull();
    const reply = await ask(socket, '캐시백');
    expect(reply.message).toMatch(/캐시백/);
    expect(await storedMessages(sessionId)).toBe(1);
    await socket.close();
  });
});

describe('two gateways on one NATS', () => {
  test('replies and the login push reach the instance holding the socket, whichever gateway took the REST call', async () => {
    const { socket, sessionId } = await openSession(0);
    const login = await postJson('/api/login/', { session_id: sessionId, persona_id: 2 }, 1);
    expect(login.status).toBe(200);
    const [push] = await socket.waitFor(isBotFrame, 1, 15_000);
    expect(push.tool_name).toBe('consumption_recommend');
    const other = await openSession(1);
    const [a, b] = await Promise.all([ask(socket, '연회비'), ask(other.socket, '캐시백')]);
    expect(a.message).toMatch(/연회비/);
    expect(b.message).toMatch(/캐시백/);
    expect(other.socket.frames.filter((f) => isBotFrame(f as Frame))).toHaveLength(1);
    await Promise.all([socket.close(), other.socket.close()]);
  });
});

describe('upstream failure', () => {
  test('with the LLM workers gone, a question still gets one "unavailable" bot frame in bounded time', async () => {
    const worker = system.byName('llm-dispatch');
    await worker.process.stop('SIGTERM', 15_000);
    try {
      const { socket } = await openSession();
      const reply = await ask(socket, '해외에서 카드 결제가 안 되는데 어떻게 해야 하나요');
      expect(reply.login_required).toBe(false);
      expect(reply.message).toMatch(/죄송합니다/);
      await socket.close();
    } finally {
      await worker.process.start();
    }
  }, 60_000);
});
