import { randomUUID } from 'node:crypto';
import { Bus } from '@chatbot/bus';
import type { ChatInboundV1 } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { eventually, startStubLlm, startSystem, TestSocket, type StubLlm, type TestSystem } from '@chatbot/testkit';

/**
 * The usage counter per message, through the whole system: a signed-in user's messages raise
 * `usage_count` in `GET /api/auth/me` by exactly the number sent, also when chat-log sees one of them
 * again (a redelivery) and when persona gets a copy of its count event past the broker's
 * de-duplication. Anonymous messages count for nobody.
 */
const JWT_SECRET = 'usage-count-itest-jwt-secret-0123456789abcdef';
const FAQ = '카드를 일시적으로 정지할수 있나요?';

let stub: StubLlm;
let system: TestSystem;
let bus: Bus;

beforeAll(async () => {
  stub = await startStubLlm();
  system = await startSystem({ env: { LLM_BASE_URL: stub.url, LLM_MODEL: 'stub-model', JWT_SECRET } });
  bus = await Bus.connect({ url: system.env.natsUrl, prefix: system.env.prefix, name: 'usage-itest', logger: createLogger('usage-itest', 'silent') });
}, 120_000);
afterAll(async () => {
  await bus?.close();
  await system?.stop();
  await stub?.close();
});

const call = (method: string, path: string, token?: string, body?: unknown) =>
  fetch(system.gateways[0] + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function signIn(email: string): Promise<{ token: string; id: string }> {
  const password = 'a-long-password-1';
  const registered = await call('POST', '/api/auth/register', undefined, { email, password, name: 'Usage' });
  expect(registered.status).toBe(201);
  const login = await call('POST', '/api/auth/login', undefined, { email, password });
  return { token: ((await login.json()) as { access_token: string }).access_token, id: ((await registered.json()) as { id: string }).id };
}

const usageOf = async (token: string) => ((await (await call('GET', '/api/auth/me', token)).json()) as { usage_count: number }).usage_count;

/** Sends one v2 message and waits for its reply. */
async function exchange(socket: TestSocket, messageId: string, text: string): Promise<void> {
  socket.send({ type: 'message', message_id: messageId, message: text });
  await socket.waitFor((f) => f.type === 'reply' && f.message_id === messageId, 1, 30_000);
}

test('a signed-in user\'s messages raise usage_count by exactly the number sent, redeliveries and copies included', async () => {
  const user = await signIn('usage@example.com');
  expect(await usageOf(user.token)).toBe(0);
  const sessionId = randomUUID();
  const socket = await TestSocket.open(`${system.gateways[0].replace('http', 'ws')}/api/chat/ws?protocol=2&session_id=${sessionId}&token=${user.token}`);
  const ids = ['usage-1', 'usage-2', 'usage-3'];
  for (const id of ids) await exchange(socket, id, FAQ);
  await eventually(async () => expect(await usageOf(user.token)).toBe(3));

  // chat-log gets message 1 again, as after a crash before its ack: found stored, counted again by nobody
  const again: ChatInboundV1 = {
    session_id: sessionId, message_id: 'usage-1', text: FAQ, received_at: new Date().toISOString(), gateway_id: 'redelivery', protocol: 2, user_id: user.id,
  };
  await bus.publish('chatInbound', sessionId, again);
  // persona gets a copy of message 2's count past the broker's de-duplication window
  await bus.publish('chatUsage', '', { message_id: 'usage-2', session_id: sessionId, user_id: user.id, received_at: again.received_at }, { msgId: `late-copy:${randomUUID()}` });
  // one more real message: counted after both copies (the streams are in order)
  await exchange(socket, 'usage-4', FAQ);
  await eventually(async () => expect(await usageOf(user.token)).toBe(4));
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await usageOf(user.token)).toBe(4);
  await socket.close();

  // an anonymous socket's messages are counted for nobody
  const anonymous = await TestSocket.open(`${system.gateways[0].replace('http', 'ws')}/api/chat/ws?protocol=2`);
  await exchange(anonymous, 'usage-anonymous', FAQ);
  await anonymous.close();
  expect(await usageOf(user.token)).toBe(4);
});
