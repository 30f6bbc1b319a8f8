import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { isBotFrame, startStubLlm, startSystem, TestSocket, type StubLlm, type TestSystem } from '@chatbot/testkit';

/**
 * The LLM path through the whole system: an OpenAI-compatible stub (the only thing replaced) that
 * first asks for a tool and then streams its answer. A v2 client sees typing, ordered deltas and the
 * final reply with usage; the seed client sees exactly one seed bot frame for the same question.
 */
let stub: StubLlm;
let system: TestSystem;
let db: Client;

const answer = '편의점과 카페 할인이 큰 카드를 골라 봤어요. 아래 카드들의 혜택을 비교해 보세요.';

beforeAll(async () => {
  stub = await startStubLlm();
  stub.setScript((body) => {
    const messages = (body.messages ?? []) as Array<{ role: string }>;
    const afterTool = messages.some((m) => m.role === 'tool');
    return afterTool
      ? { text: answer, tokenDelayMs: 2 }
      : { toolCallIncremental: { name: 'get_card_recommendation', arguments: { need: '편의점 카페 할인' } }, argumentFragments: 4 };
  });
  system = await startSystem({ env: { LLM_BASE_URL: stub.url, LLM_MODEL: 'stub-model', REPLY_TIMEOUT_MS: '15000' } });
  db = new Client({ connectionString: system.env.databaseUrl });
  await db.connect();
}, 120_000);
afterAll(async () => {
  await db?.end();
  await system?.stop();
  await stub?.close();
});

type Frame = Record<string, unknown>;

test('a v2 client gets accepted, typing, ordered deltas and one final reply carrying the tool fields and usage', async () => {
  const socket = await TestSocket.open(system.ws(), 'chat.v2');
  await socket.waitFor((f) => f.type === 'session');
  const messageId = randomUUID();
  socket.send({ type: 'message', message_id: messageId, message: '편의점이랑 카페에서 할인 많이 되는 카드 있어?' });
  const [reply] = await socket.waitFor((f) => f.type === 'reply' && f.message_id === messageId, 1, 30_000);

  const mine = (socket.frames as Frame[]).filter((f) => f.message_id === messageId);
  const types = mine.map((f) => f.type);
  expect(types[0]).toBe('accepted');
  expect(types.filter((t) => t === 'accepted')).toHaveLength(1);
  expect(types.indexOf('typing')).toBeLessThan(types.indexOf('delta'));
  expect(types.lastIndexOf('delta')).toBeLessThan(types.indexOf('reply'));
  const deltas = mine.filter((f) => f.type === 'delta');
  expect(deltas.map((d) => d.index)).toEqual(deltas.map((_, i) => i));
  expect(deltas.map((d) => d.text).join('')).toBe(reply.message);
  expect(reply.message).toBe(answer);
  expect(reply).toMatchObject({ sender: 'bot', tool_name: 'get_card_recommendation', login_required: false, seq: 1 });
  expect((reply.card_list as string[]).length).toBeGreaterThan(0);
  expect(reply.usage).toMatchObject({ completion_tokens: expect.any(Number), total_tokens: expect.any(Number) });
  expect(types.filter((t) => t === 'reply')).toHaveLength(1);

  const stored = await db.query('SELECT tool_name, card_list, usage FROM chat_log.replies WHERE prompt_message_id = $1', [messageId]);
  expect(stored.rows).toHaveLength(1);
  expect(stored.rows[0]).toMatchObject({ tool_name: 'get_card_recommendation', card_list: reply.card_list, usage: reply.usage });
  await socket.close();
});

test('the seed client sees the same kind of answer as exactly one seed bot frame, nothing streamed', async () => {
  const socket = await TestSocket.open(system.ws());
  await socket.waitFor((f) => typeof f.session_id === 'string');
  const messageId = randomUUID();
  socket.send({ message_id: messageId, message: '편의점이랑 카페에서 할인 많이 되는 카드 있어?', sender: 'user', timestamp: new Date().toISOString() });
  const [bot] = await socket.waitFor(isBotFrame, 1, 30_000);
  expect(Object.keys(bot).sort()).toEqual(['card_list', 'login_required', 'message', 'message_id', 'sender', 'timestamp', 'tool_name']);
  expect(bot).toMatchObject({ message_id: messageId, message: answer, tool_name: 'get_card_recommendation' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(socket.frames).toHaveLength(2); // the session frame and the one bot frame
  await socket.close();
});

test('the next question carries the conversation so far to the model', async () => {
  const socket = await TestSocket.open(system.ws(), 'chat.v2');
  await socket.waitFor((f) => f.type === 'session');
  const first = randomUUID();
  socket.send({ message_id: first, message: '첫 번째 질문: 배달 할인 카드 알려줘' });
  await socket.waitFor((f) => f.type === 'reply' && f.message_id === first, 1, 30_000);
  const before = stub.requests.length;
  const second = randomUUID();
  socket.send({ message_id: second, message: '두 번째 질문: 그 중에 연회비가 싼 건?' });
  await socket.waitFor((f) => f.type === 'reply' && f.message_id === second, 1, 30_000);
  const request = stub.requests[before];
  const contents = (request.messages as Array<{ role: string; content?: string }>).map((m) => `${m.role}:${m.content ?? ''}`);
  expect(contents).toEqual(expect.arrayContaining([`user:첫 번째 질문: 배달 할인 카드 알려줘`, `assistant:${answer}`]));
  expect(contents[contents.length - 1]).toBe('user:두 번째 질문: 그 중에 연회비가 싼 건?');
  await socket.close();
});

test('a question typed before the previous answer arrived carries that answer to the model', async () => {
  const socket = await TestSocket.open(system.ws(), 'chat.v2');
  await socket.waitFor((f) => f.type === 'session');
  const [first, second] = [randomUUID(), randomUUID()];
  const before = stub.requests.length;
  socket.send({ message_id: first, message: '첫 질문: 편의점 할인 카드 알려줘' });
  socket.send({ message_id: second, message: '둘째 질문: 그 카드 연회비는?' });
  await socket.waitFor((f) => f.type === 'reply' && f.message_id === second, 1, 30_000);
  const contentsOf = (request: (typeof stub.requests)[number]) =>
    (request.messages as Array<{ role: string; content?: string }>).map((m) => `${m.role}:${m.content ?? ''}`);
  // The second question's first call to the model: its turn came once the first was answered.
  const request = stub.requests.slice(before).find((r) => contentsOf(r).at(-1) === 'user:둘째 질문: 그 카드 연회비는?');
  expect(contentsOf(request!).slice(1)).toEqual(['user:첫 질문: 편의점 할인 카드 알려줘', `assistant:${answer}`, 'user:둘째 질문: 그 카드 연회비는?']);
  await socket.close();
});
