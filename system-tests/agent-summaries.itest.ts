import { randomUUID } from 'node:crypto';
import { Bus } from '@chatbot/bus';
import { createLogger } from '@chatbot/runtime';
import { eventually, startSystem, TestSocket, type TestSystem } from '@chatbot/testkit';
import { callApi, createAdmin, register as registerAs, signIn as signInAs } from './support/accounts';

/**
 * What an agent reads at `GET /api/admin/chats/{id}/summary`, with the whole system and no model:
 * a conversation over the socket, its status changed as chat-log publishes it, the extractive
 * summary written by the worker pool. Who may read it is checked from outside.
 */
const JWT_SECRET = 'summaries-itest-jwt-secret-0123456789abcdef';
let system: TestSystem;
let bus: Bus;
const tokens: Record<'admin' | 'agent' | 'customer', string> = { admin: '', agent: '', customer: '' };




const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) => callApi(system, method, path, options);
const signIn = (email: string, password: string) => signInAs(system, email, password);
const register = (email: string) => registerAs(system, email);

beforeAll(async () => {
  system = await startSystem({ env: { JWT_SECRET } });
  bus = await Bus.connect({ url: system.env.natsUrl, prefix: system.env.prefix, name: 'summaries-test', logger: createLogger('summaries-test', 'silent') });
  await createAdmin(system, 'admin@example.com', 'admin-password-1');
  tokens.admin = await signIn('admin@example.com', 'admin-password-1');
  const agentId = await register('agent@example.com');
  expect((await call('PUT', `/api/admin/accounts/${agentId}/role`, { token: tokens.admin, body: { role: 'agent' } })).status).toBe(200);
  tokens.agent = await signIn('agent@example.com', 'a-long-password-1');
  await register('customer@example.com');
  tokens.customer = await signIn('customer@example.com', 'a-long-password-1');
}, 120_000);
afterAll(async () => {
  await bus?.close();
  await system?.stop();
});

async function converse(messages: string[]): Promise<string> {
  const socket = await TestSocket.open(system.ws(), 'chat.v2');
  const [session] = await socket.waitFor((f) => f.type === 'session');
  for (const message of messages) {
    const messageId = randomUUID();
    socket.send({ type: 'message', message_id: messageId, message });
    await socket.waitFor((f) => f.type === 'reply' && f.message_id === messageId, 1, 30_000);
  }
  await socket.close();
  return session.session_id as string;
}

test('an agent reads the summary written when the conversation entered waiting; before it, none', async () => {
  const sessionId = await converse(['카드를 잃어버렸어요', '재발급은 얼마나 걸리나요?']);
  expect(await call('GET', `/api/admin/chats/${sessionId}/summary`, { token: tokens.agent })).toEqual({
    status: 200,
    body: { session_id: sessionId, summary: null, history: [] },
  });
  await bus.publish('chatStatusChanged', sessionId, { session_id: sessionId, from: 'bot', to: 'waiting', version: 1, at: new Date().toISOString() }, { msgId: `${sessionId}:status:1` });
  const read = await eventually(async () => {
    const answer = await call('GET', `/api/admin/chats/${sessionId}/summary`, { token: tokens.agent });
    expect(answer.body.summary).not.toBeNull();
    return answer;
  }, 15_000, 100);
  expect(read.body.summary).toEqual({
    session_id: sessionId, trigger: 'waiting', version: 1, source: 'extractive', category: 'lost_card',
    issue: '카드를 잃어버렸어요', tried: expect.any(String), open: '재발급은 얼마나 걸리나요?', created_at: expect.any(String),
  });
  expect(read.body.history).toHaveLength(1);
  expect((await call('GET', `/api/admin/chats/${sessionId}/summary`, { token: tokens.admin })).body).toEqual(read.body);
});

test('customers and strangers cannot read summaries; an unknown or malformed id is 404', async () => {
  const sessionId = await converse(['연회비가 궁금해요']);
  expect(await call('GET', `/api/admin/chats/${sessionId}/summary`)).toMatchObject({ status: 401, body: { code: 'E4012' } });
  expect(await call('GET', `/api/admin/chats/${sessionId}/summary`, { token: tokens.customer })).toMatchObject({ status: 403, body: { code: 'E4013' } });
  expect(await call('GET', `/api/admin/chats/${randomUUID()}/summary`, { token: tokens.agent })).toMatchObject({ status: 404, body: { code: 'E4005' } });
  expect(await call('GET', '/api/admin/chats/not-a-session/summary', { token: tokens.agent })).toMatchObject({ status: 404, body: { code: 'E4005' } });
});

test('a real handoff writes the summaries: the user asks for a person, an agent takes over and completes', async () => {
  const socket = await TestSocket.open(system.ws(), 'chat.v2');
  const [session] = await socket.waitFor((f) => f.type === 'session');
  const sessionId = session.session_id as string;
  const messageId = randomUUID();
  socket.send({ type: 'message', message_id: messageId, message: '카드를 잃어버렸어요' });
  await socket.waitFor((f) => f.type === 'reply' && f.message_id === messageId, 1, 30_000);
  socket.send({ type: 'handoff' });
  await socket.waitFor((f) => f.type === 'status' && f.status === 'waiting');
  const waiting = await eventually(async () => {
    const answer = await call('GET', `/api/admin/chats/${sessionId}/summary`, { token: tokens.agent });
    expect(answer.body.summary).toMatchObject({ trigger: 'waiting', version: 1 });
    return answer;
  }, 15_000, 100);
  expect(waiting.body.summary).toMatchObject({ issue: '카드를 잃어버렸어요', source: 'extractive' });
  expect((await call('POST', `/api/admin/chats/${sessionId}/takeover`, { token: tokens.agent, body: {} })).status).toBe(200);
  expect((await call('POST', `/api/admin/chats/${sessionId}/complete`, { token: tokens.agent, body: { message: '재발급해 드렸습니다.' } })).status).toBe(200);
  await socket.waitFor((f) => f.type === 'status' && f.status === 'completed');
  const completed = await eventually(async () => {
    const answer = await call('GET', `/api/admin/chats/${sessionId}/summary`, { token: tokens.agent });
    expect(answer.body.history).toHaveLength(2);
    return answer;
  }, 15_000, 100);
  expect(completed.body.summary).toMatchObject({ trigger: 'completed', version: 3 });
  expect(completed.body.history.map((s: { trigger: string; version: number }) => [s.trigger, s.version]).sort()).toEqual([['completed', 3], ['waiting', 1]]);
  await socket.close();
});
