import { randomUUID } from 'node:crypto';
import { forgeToken, JWT_SECRET } from '../../test/auth.harness';
import { answer, connect, eventually, sendStored, startWorld, TestSocket, type GatewayWorld } from '../../test/harness';

/**
 * The agents' API against a real gateway and a real chat-log: who may call it, the takeover race
 * seen over HTTP, and what the user's sockets (v1 and v2) see of the handoff.
 */
let world: GatewayWorld;
const AGENT = randomUUID();
const OTHER = randomUUID();
let agentToken: string;
let otherToken: string;
let customerToken: string;

beforeAll(async () => {
  world = await startWorld({ JWT_SECRET, REQUEST_TIMEOUT_MS: '5000', REPLY_TIMEOUT_MS: '1500' }, { peers: ['chat-log'] });
  agentToken = await forgeToken({ sub: AGENT, role: 'agent' });
  otherToken = await forgeToken({ sub: OTHER, role: 'admin' });
  customerToken = await forgeToken({ sub: randomUUID(), role: 'customer' });
});
afterAll(() => world?.stop());

async function call(method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${world.http}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A v2 conversation chat-log knows: one message, answered. */
async function conversation(): Promise<{ socket: TestSocket; sessionId: string }> {
  const opened = await connect(world.ws, 'chat.v2');
  const first = randomUUID();
  await sendStored(opened.socket, first);
  await answer(world.bus, opened.sessionId, first);
  await opened.socket.waitFor((f) => f.type === 'reply' && f.message_id === first);
  return opened;
}

test('only agents and admins: 401 without a token, 403 for a customer, 404 for an unknown or malformed conversation', async () => {
  expect((await call('GET', '/api/admin/chats/pending')).status).toBe(401);
  expect(await call('GET', '/api/admin/chats/pending', customerToken)).toMatchObject({ status: 403, body: { code: 'E4013' } });
  expect(await call('POST', `/api/admin/chats/${randomUUID()}/takeover`, customerToken, {})).toMatchObject({ status: 403 });
  expect(await call('POST', `/api/admin/chats/${randomUUID()}/takeover`, agentToken, {})).toMatchObject({ status: 404, body: { code: 'E4005' } });
  expect(await call('POST', '/api/admin/chats/not-a-uuid/takeover', agentToken, {})).toMatchObject({ status: 404 });
  expect(await call('POST', `/api/admin/chats/${randomUUID()}/messages`, agentToken, { message: 'hi' })).toMatchObject({ status: 404 });
  expect(await call('POST', `/api/chat/sessions/${randomUUID()}/handoff`)).toMatchObject({ status: 404 });
  expect(await call('GET', '/api/admin/chats/pending?limit=0', agentToken)).toMatchObject({ status: 400 });
  expect(await call('POST', `/api/admin/chats/${randomUUID()}/takeover`, agentToken, { surprise: 1 })).toMatchObject({ status: 422 });
});

test('two agents take over at once: one wins, the other gets 409 naming the holder; the user sees it all as durable frames', async () => {
  const { socket, sessionId } = await conversation();
  const [a, b] = await Promise.all([
    call('POST', `/api/admin/chats/${sessionId}/takeover`, agentToken, {}),
    call('POST', `/api/admin/chats/${sessionId}/takeover`, otherToken, {}),
  ]);
  const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
  expect(winner).toMatchObject({ status: 200, body: { status: 'agent', version: 1 } });
  expect(loser).toMatchObject({ status: 409, body: { code: 'E4030', reason: 'holder', state: { status: 'agent', holder_id: winner.body.holder_id } } });
  const holder = winner.body.holder_id === AGENT ? agentToken : otherToken;
  await socket.waitFor((f) => f.type === 'status' && f.status === 'agent');

  // the user writes: the message is handed to the agent, no assistant reply comes
  const asked = randomUUID();
  socket.send({ message_id: asked, message: 'is anyone there?' });
  await socket.waitFor((f) => f.type === 'handed' && f.message_id === asked && f.status === 'agent');
  expect((await call('POST', `/api/admin/chats/${sessionId}/release`, holder, {})).body).toMatchObject({ reason: 'unanswered' });
  expect((await call('POST', `/api/admin/chats/${sessionId}/messages`, loser.body.state.holder_id === AGENT ? otherToken : agentToken, { message: 'me too' })).status).toBe(409);

  const sent = await call('POST', `/api/admin/chats/${sessionId}/messages`, holder, { message: 'Yes, I am here.' });
  expect(sent).toMatchObject({ status: 201, body: { seq: expect.any(Number), state: { status: 'agent' } } });
  const [agentFrame] = await socket.waitFor((f) => f.type === 'agent');
  expect(agentFrame).toEqual({ type: 'agent', message_id: sent.body.message_id, message: 'Yes, I am here.', timestamp: expect.any(String), seq: sent.body.seq });
  expect(await call('POST', `/api/admin/chats/${sessionId}/release`, holder, {})).toMatchObject({ status: 200, body: { status: 'bot', holder_id: null } });
  await socket.waitFor((f) => f.type === 'status' && f.status === 'bot');
  expect(socket.frames.filter((f) => (f as { type?: string }).type === 'error')).toEqual([]);
  await socket.close();

  // resumable like any reply: a resume from 0 replays the answer, the status frames and the agent's message in seq order
  const resumed = await TestSocket.open(`${world.ws}?protocol=2&session_id=${sessionId}&last_seq=0`);
  const replayed = await resumed.waitFor((f) => typeof f.seq === 'number' && f.seq > 0 && f.type !== 'session', 4);
  expect(replayed.map((f) => f.type)).toEqual(['reply', 'status', 'agent', 'status']);
  expect(replayed.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
  await resumed.close();
});

test('a v1 user asks for a person over REST; waiting is told, messages are handed, the agent\'s reply is a bot envelope with sender agent', async () => {
  const { socket, sessionId } = await connect(world.ws);
  const first = randomUUID();
  socket.send({ message_id: first, message: 'hello' });
  await eventually(async () => expect((await call('POST', `/api/chat/sessions/${sessionId}/handoff`)).status).toBe(200));
  await answer(world.bus, sessionId, first);
  await socket.waitFor((f) => f.sender === 'bot' && f.message_id === first);
  await socket.waitFor((f) => f.sender === 'bot' && typeof f.message === 'string' && f.message.includes('상담원'));
  expect(await call('POST', `/api/chat/sessions/${sessionId}/handoff`)).toMatchObject({ status: 200, body: { status: 'waiting', version: 1 } });

  const waiting = randomUUID();
  socket.send({ message_id: waiting, message: 'I need help with my card' });
  const pending = await eventually(async () => {
    const page = await call('GET', '/api/admin/chats/pending?limit=100', agentToken);
    const item = page.body.items.find((i: { session_id: string }) => i.session_id === sessionId);
    expect(item).toMatchObject({ status: 'waiting', unread: 1, holder_id: null, last_message: { sender: 'user', text: 'I need help with my card' } });
    return item;
  });
  expect(pending.version).toBe(1);
  expect(await call('POST', `/api/admin/chats/${sessionId}/provide-info`, agentToken, {})).toMatchObject({ status: 422 });
  expect(await call('POST', `/api/admin/chats/${sessionId}/takeover`, agentToken, { expected_version: 1 })).toMatchObject({ status: 200, body: { version: 2 } });
  await call('POST', `/api/admin/chats/${sessionId}/messages`, agentToken, { message: 'Which card?' });
  const [agentFrame] = await socket.waitFor((f) => f.sender === 'agent');
  expect(agentFrame).toEqual({ sender: 'agent', timestamp: expect.any(String), message_id: expect.any(String), login_required: false, message: 'Which card?' });
  // the handed message got no unavailable frame: its reply timer (1.5 s) was stopped
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(socket.frames.filter((f) => (f as { message_id?: string }).message_id === waiting)).toEqual([]);
  expect(await call('POST', `/api/admin/chats/${sessionId}/complete`, agentToken, {})).toMatchObject({ status: 200, body: { status: 'completed' } });
  expect(await call('POST', `/api/admin/chats/${sessionId}/takeover`, agentToken, {})).toMatchObject({ status: 409, body: { reason: 'state', state: { status: 'completed' } } });
  const completed = await call('GET', '/api/admin/chats/completed?limit=100', agentToken);
  expect(completed.body.items.map((i: { session_id: string }) => i.session_id)).toContain(sessionId);
  await socket.close();
});

test('the v2 frame {"type":"handoff"} moves the conversation to waiting', async () => {
  const { socket, sessionId } = await conversation();
  socket.send({ type: 'handoff' });
  const [status] = await socket.waitFor((f) => f.type === 'status');
  expect(status).toMatchObject({ type: 'status', status: 'waiting', seq: 2 });
  expect((await call('POST', `/api/chat/sessions/${sessionId}/handoff`)).body).toMatchObject({ status: 'waiting', version: 1 });
  await socket.close();
});
