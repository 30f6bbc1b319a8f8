import { randomUUID } from 'node:crypto';
import { eventually, startStubLlm, startSystem, TestSocket, type StubLlm, type TestSystem } from '@chatbot/testkit';
import { createAdmin } from './support/accounts';

/**
 * Escalation rules end to end (gateway, chat-log, qna-cache, persona, llm-dispatch): the model
 * calling `escalate_to_human`, and an FAQ answer whose category the saved chatbot settings list.
 * Either way the conversation moves to `waiting` and the user's next message goes to a person, not
 * to the assistant. The stub LLM calls the tool when the user writes ANGRY.
 */
const JWT_SECRET = 'escalation-itest-jwt-secret-0123456789abcdef';
const ANGRY = '정말 화가 나네요. 이 문제 해결해 주세요.';
const LOST_CARD_FAQ = '카드를 잃어버렸을 때 어떻게 신고하나요?';
let stub: StubLlm;
let system: TestSystem;
let adminToken: string;

type WireMessage = { role: string; content: string | null };
const lastUserText = (messages: unknown[] | undefined) => ((messages ?? []) as WireMessage[]).filter((m) => m.role === 'user').at(-1)?.content ?? '';

beforeAll(async () => {
  stub = await startStubLlm({
    script: (request) =>
      lastUserText(request.messages) === ANGRY && !((request.messages ?? []) as WireMessage[]).some((m) => m.role === 'tool')
        ? { toolCallIncremental: { name: 'escalate_to_human', arguments: {} } }
        : { text: '네, 도와드릴게요.' },
  });
  system = await startSystem({ env: { LLM_BASE_URL: stub.url, LLM_MODEL: 'stub-model', JWT_SECRET } });
  await createAdmin(system, 'admin@example.com', 'admin-password-1');
  const login = await fetch(`${system.gateways[0]}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password: 'admin-password-1' }),
  });
  adminToken = ((await login.json()) as { access_token: string }).access_token;
}, 120_000);
afterAll(async () => {
  await system?.stop();
  await stub?.close();
});

async function saveCategories(categories: string[]): Promise<void> {
  const body = {
    system_prompt: '당신은 카드사 상담 도우미입니다.', greeting: '안녕하세요!', model: 'stub-model', temperature: 0.2, max_tokens: 300,
    handoff: { keywords: [], categories }, allow_client_system_prompt: false,
  };
  const res = await fetch(`${system.gateways[0]}/api/admin/chatbot/settings`, {
    method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

async function openChat(): Promise<TestSocket> {
  const socket = await TestSocket.open(system.ws(), 'chat.v2');
  await socket.waitFor((f) => f.type === 'session');
  return socket;
}

async function send(socket: TestSocket, message: string): Promise<string> {
  const messageId = randomUUID();
  socket.send({ type: 'message', message_id: messageId, message });
  return messageId;
}

/** The conversation is waiting: a status frame came, and the next message is handed without asking the model. */
async function expectHandedToPerson(socket: TestSocket): Promise<void> {
  await socket.waitFor((f) => f.type === 'status' && f.status === 'waiting', 1, 10_000);
  const asked = stub.requests.length;
  const next = await send(socket, '언제쯤 연결되나요?');
  await socket.waitFor((f) => f.type === 'handed' && f.message_id === next, 1, 10_000);
  expect(stub.requests.slice(asked).some((r) => lastUserText(r.messages) === '언제쯤 연결되나요?')).toBe(false);
}

test('the model calls escalate_to_human: the user is told a person takes over, and the conversation waits for one', async () => {
  const socket = await openChat();
  const messageId = await send(socket, ANGRY);
  const [reply] = await socket.waitFor((f) => f.type === 'reply' && f.message_id === messageId, 1, 30_000);
  expect(String(reply!['message'])).toContain('상담원');
  const toolRequest = stub.requests.find((r) => lastUserText(r.messages) === ANGRY)!;
  expect((toolRequest.tools as Array<{ function: { name: string } }>).map((t) => t.function.name)).toContain('escalate_to_human');
  // the tool ends the answer: the model is not asked again with the tool's result
  expect(stub.requests.filter((r) => lastUserText(r.messages) === ANGRY)).toHaveLength(1);
  await expectHandedToPerson(socket);
  await socket.close();
});

test('an FAQ answer whose category the settings list is shown, then the conversation waits for a person', async () => {
  await saveCategories(['도난']);
  const socket = await openChat();
  // qna-cache applies a save within a second; the first try may still be answered as before
  await eventually(async () => {
    const messageId = await send(socket, LOST_CARD_FAQ);
    const [reply] = await socket.waitFor((f) => f.type === 'reply' && f.message_id === messageId, 1, 10_000);
    expect(String(reply!['message'])).toContain('분실/도난');
    await socket.waitFor((f) => f.type === 'status' && f.status === 'waiting', 1, 1_000);
  }, 3_000, 200);
  await expectHandedToPerson(socket);
  await socket.close();
});

test('the model sees the settings\' categories in the tool, and an FAQ of another category is answered as usual', async () => {
  await saveCategories(['refund']);
  const socket = await openChat();
  await eventually(async () => {
    const before = stub.requests.length;
    const messageId = await send(socket, '연회비가 궁금해요. 무엇인가요?');
    await socket.waitFor((f) => f.type === 'reply' && f.message_id === messageId, 1, 30_000);
    const tool = (stub.requests.slice(before).at(-1)!.tools as Array<{ function: { name: string; description: string } }>).find((t) => t.function.name === 'escalate_to_human');
    expect(tool!.function.description).toContain('refund');
  }, 5_000, 200);
  const faq = await send(socket, LOST_CARD_FAQ);
  await socket.waitFor((f) => f.type === 'reply' && f.message_id === faq, 1, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect((socket.frames as Array<Record<string, unknown>>).some((f) => f.type === 'status')).toBe(false);
  await socket.close();
});
