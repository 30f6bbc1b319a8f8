import { randomUUID } from 'node:crypto';
import { eventually, startStubLlm, startSystem, TestSocket, type StubLlm, type TestSystem } from '@chatbot/testkit';
import { callApi, createAdmin, signIn as signInAs } from './support/accounts';

/**
 * Chatbot settings end to end: an admin saves them at the gateway, persona keeps every version, and
 * both llm-dispatch workers answer the very next message with them, without a restart. The stub LLM
 * records what each worker sent it.
 */
const JWT_SECRET = 'settings-itest-jwt-secret-0123456789abcdef';
const ENV_PROMPT = '환경 변수의 시스템 프롬프트입니다.';
let stub: StubLlm;
let system: TestSystem;
let admin: { id: string; token: string };
let customerToken: string;

const settings = (overrides: Record<string, unknown> = {}) => ({
  system_prompt: '당신은 친절한 상담원입니다. 새 설정으로 답하세요.',
  greeting: '안녕하세요! 무엇을 도와드릴까요?',
  model: 'live-model',
  temperature: 0.2,
  max_tokens: 333,
  handoff: { keywords: ['상담원 연결', '환불'], categories: ['refund', 'complaint'] },
  allow_client_system_prompt: false,
  ...overrides,
});



const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) => callApi(system, method, path, options);
const signIn = (email: string, password: string) => signInAs(system, email, password);

beforeAll(async () => {
  stub = await startStubLlm({ script: { text: '네, 도와드릴게요.' } });
  system = await startSystem({ workers: 2, env: { LLM_BASE_URL: stub.url, LLM_MODEL: 'env-model', LLM_SYSTEM_PROMPT: ENV_PROMPT, LLM_MAX_TOKENS: '200', JWT_SECRET } });
  admin = { id: await createAdmin(system, 'admin@example.com', 'admin-password-1'), token: await signIn('admin@example.com', 'admin-password-1') };
  expect((await call('POST', '/api/auth/register', { body: { email: 'customer@example.com', password: 'customer-password-1', name: 'customer' } })).status).toBe(201);
  customerToken = await signIn('customer@example.com', 'customer-password-1');
}, 120_000);
afterAll(async () => {
  await system?.stop();
  await stub?.close();
});

type WireMessage = { role: string; content: string };
const systemPromptOf = (request: (typeof stub.requests)[number]) => (request.messages as WireMessage[])[0]?.content;

async function ask(socket: TestSocket, message: string) {
  const messageId = randomUUID();
  const before = stub.requests.length;
  socket.send({ type: 'message', message_id: messageId, message });
  await socket.waitFor((f) => f.type === 'reply' && f.message_id === messageId, 1, 30_000);
  const request = stub.requests.slice(before).find((r) => (r.messages as WireMessage[]).at(-1)?.content === message);
  if (!request) throw new Error(`the model was not asked "${message}"`);
  return request;
}

const workerVersions = () =>
  Promise.all(system.services.filter((s) => s.name.startsWith('llm-dispatch')).map(async (worker) => {
    const health = (await (await fetch(`http://127.0.0.1:${worker.ports['ops']}/healthz`)).json()) as { settings_version?: number };
    return health.settings_version;
  }));

test('before any save the settings read as version 0 and the workers answer with their environment', async () => {
  expect(await call('GET', '/api/admin/chatbot/settings', { token: admin.token })).toEqual({
    status: 200,
    body: { version: 0, settings: null, updated_by: null, updated_at: null },
  });
  expect(await call('GET', '/api/chat/greeting')).toEqual({ status: 200, body: { greeting: null } });
  const socket = await TestSocket.open(system.ws(), 'chat.v2');
  await socket.waitFor((f) => f.type === 'session');
  const request = await ask(socket, '카드 분실 신고는 어떻게 하나요?');
  expect(systemPromptOf(request)).toBe(ENV_PROMPT);
  expect(request).toMatchObject({ model: 'env-model', max_tokens: 200 });
  expect(request).not.toHaveProperty('temperature');
  await socket.close();
});

test('a prompt changed in the middle of a conversation is used for its next answer, by every worker within a second', async () => {
  const socket = await TestSocket.open(system.ws(), 'chat.v2');
  await socket.waitFor((f) => f.type === 'session');
  expect(systemPromptOf(await ask(socket, '첫 질문: 연회비가 뭐예요?'))).toBe(ENV_PROMPT);

  const saved = await call('PUT', '/api/admin/chatbot/settings', { token: admin.token, body: settings() });
  const savedAt = Date.now();
  expect(saved).toMatchObject({ status: 200, body: { version: 1, settings: settings(), updated_by: admin.id, updated_at: expect.any(String) } });
  await eventually(async () => expect(await workerVersions()).toEqual([1, 1]), 1_000, 20);
  expect(Date.now() - savedAt).toBeLessThan(1_000);

  // Two answers in a row: with two workers, each may take one; both use the new settings.
  for (const question of ['둘째 질문: 그럼 해외 결제 수수료는요?', '셋째 질문: 포인트는 어떻게 쌓이나요?']) {
    const request = await ask(socket, question);
    expect(systemPromptOf(request)).toBe(settings().system_prompt);
    expect(request).toMatchObject({ model: 'live-model', temperature: 0.2, max_tokens: 333 });
    // the conversation before the change is still the model's memory
    expect((request.messages as WireMessage[]).map((m) => m.content)).toContain('첫 질문: 연회비가 뭐예요?');
  }
  await socket.close();
});

test('every save is kept with who saved it and when, newest first, and the newest is in force', async () => {
  const second = await call('PUT', '/api/admin/chatbot/settings', { token: admin.token, body: settings({ system_prompt: '두 번째 버전의 프롬프트입니다.', temperature: 0.7 }) });
  expect(second.body.version).toBe(2);
  const current = await call('GET', '/api/admin/chatbot/settings', { token: admin.token });
  expect(current.body).toMatchObject({ version: 2, settings: { system_prompt: '두 번째 버전의 프롬프트입니다.', temperature: 0.7 } });
  const history = await call('GET', '/api/admin/chatbot/settings/history', { token: admin.token });
  expect(history.status).toBe(200);
  expect(history.body.items.map((item: { version: number }) => item.version)).toEqual([2, 1]);
  for (const item of history.body.items) expect(item).toMatchObject({ updated_by: admin.id, updated_at: expect.any(String) });
  expect(await call('GET', '/api/chat/greeting')).toEqual({ status: 200, body: { greeting: settings().greeting } });
  expect(Date.parse(history.body.items[0].updated_at)).toBeGreaterThanOrEqual(Date.parse(history.body.items[1].updated_at));
  const page = await call('GET', '/api/admin/chatbot/settings/history?limit=1&before_version=2', { token: admin.token });
  expect(page.body.items).toEqual([expect.objectContaining({ version: 1, settings: settings() })]);
  await eventually(async () => expect(await workerVersions()).toEqual([2, 2]), 1_000, 20);
});

test('invalid settings are refused with 422 and the field, and change nothing', async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [settings({ temperature: 3 }), 'temperature'],
    [settings({ max_tokens: 0 }), 'max_tokens'],
    [settings({ system_prompt: '' }), 'system_prompt'],
    [settings({ handoff: { keywords: [''], categories: [] } }), 'handoff'],
    [settings({ surprise: true }), ''],
    [{ system_prompt: '일부만 보낸 설정' }, 'greeting'],
  ];
  for (const [body, field] of cases) {
    const refused = await call('PUT', '/api/admin/chatbot/settings', { token: admin.token, body });
    expect(refused).toMatchObject({ status: 422, body: { code: 'E4002' } });
    expect(JSON.stringify(refused.body.detail)).toContain(field);
  }
  expect((await call('GET', '/api/admin/chatbot/settings', { token: admin.token })).body.version).toBe(2);
});

test('only an admin reads or changes the settings', async () => {
  expect(await call('GET', '/api/admin/chatbot/settings')).toMatchObject({ status: 401, body: { code: 'E4012' } });
  expect(await call('PUT', '/api/admin/chatbot/settings', { token: customerToken, body: settings() })).toMatchObject({ status: 403, body: { code: 'E4013' } });
  expect(await call('GET', '/api/admin/chatbot/settings/history', { token: customerToken })).toMatchObject({ status: 403 });
  expect(await call('GET', '/api/admin/chatbot/settings', { token: `${admin.token}x` })).toMatchObject({ status: 401 });
  expect((await call('GET', '/api/admin/chatbot/settings/history', { token: admin.token })).body.items).toHaveLength(2);
});

const chatLogVersion = async () => {
  const chatLog = system.services.find((s) => s.name.startsWith('chat-log'))!;
  return ((await (await fetch(`http://127.0.0.1:${chatLog.ports['ops']}/healthz`)).json()) as { settings_version?: number }).settings_version;
};

test('the saved handoff keywords apply within a second: the next message holding one goes to a person', async () => {
  const saved = await call('PUT', '/api/admin/chatbot/settings', { token: admin.token, body: settings({ handoff: { keywords: ['Talk To A Human'], categories: [] } }) });
  const savedAt = Date.now();
  await eventually(async () => expect(await chatLogVersion()).toBe(saved.body.version), 1_000, 20);
  expect(Date.now() - savedAt).toBeLessThan(1_000);
  const socket = await TestSocket.open(system.ws(), 'chat.v2');
  await socket.waitFor((f) => f.type === 'session');
  const asked = stub.requests.length;
  const messageId = randomUUID();
  socket.send({ type: 'message', message_id: messageId, message: 'please let me talk to a human now' });
  await socket.waitFor((f) => f.type === 'handed' && f.message_id === messageId, 1, 10_000);
  await socket.waitFor((f) => f.type === 'status' && f.status === 'waiting', 1, 10_000);
  const frames = socket.frames as Array<Record<string, unknown>>;
  expect(frames.some((f) => f.type === 'reply' && f.message_id === messageId)).toBe(false);
  expect(stub.requests.slice(asked).some((r) => JSON.stringify(r.messages).includes('talk to a human'))).toBe(false);
  await socket.close();
});
