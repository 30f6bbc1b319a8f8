import { randomUUID } from 'node:crypto';
import { startService, type RunningService } from '@chatbot/testkit';
import { forgeToken, JWT_SECRET } from '../../test/auth.harness';
import { answer, connect, sendStored, startWorld, TestSocket, type GatewayWorld } from '../../test/harness';

/**
 * The agents' socket against two real gateways and a real chat-log: the same events, in the same
 * order with the same seqs, on an agent's socket on either gateway; a console that reconnects
 * with its last seq misses nothing and ends with the right unread count; only agents and admins.
 */
let world: GatewayWorld;
let second: RunningService;
const AGENT = randomUUID();
const ADMIN = randomUUID();
let agentToken: string;
let adminToken: string;
let customerToken: string;

beforeAll(async () => {
  world = await startWorld({ JWT_SECRET, GATEWAY_ID: 'gw-a', REQUEST_TIMEOUT_MS: '5000' }, { peers: ['chat-log'] });
  second = await startService('gateway', { ...world.env.env, JWT_SECRET, GATEWAY_ID: 'gw-b' }, { instance: 'b' });
  agentToken = await forgeToken({ sub: AGENT, role: 'agent' });
  adminToken = await forgeToken({ sub: ADMIN, role: 'admin' });
  customerToken = await forgeToken({ sub: randomUUID(), role: 'customer' });
});
afterAll(async () => {
  await second?.process.stop('SIGTERM', 15_000);
  await world?.stop();
});

const agentsWs = (port: string | number, query = '') => `ws://127.0.0.1:${port}/api/admin/ws${query}`;
const firstPort = () => new URL(world.http).port;

type Event = { type: string; seq: number; session_id?: string; [key: string]: unknown };

async function openConsole(url: string, token: string): Promise<TestSocket> {
  const socket = await TestSocket.open(url, ['agents.v1', `bearer.${token}`]);
  await socket.waitFor((f) => f.type === 'ready');
  return socket;
}

const eventsOf = (socket: TestSocket, sessionId: string): Event[] =>
  (socket.frames as Event[]).filter((f) => f.type !== 'ready' && f.session_id === sessionId);
const summary = (events: Event[]) =>
  events.map((e) => [e.type, e.type === 'new_message' ? e.sender : e.type === 'unread_count_updated' ? e.unread_count : e.type === 'session_status_changed' ? e.to : e.version]);

async function call(method: string, path: string, token: string, body: unknown = {}) {
  const res = await fetch(`${world.http}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.status;
}

test('an agent on each gateway sees the same events; one that reconnects after its last seq misses nothing and counts unread right', async () => {
  const onA = await openConsole(agentsWs(firstPort()), agentToken);
  const onB = await openConsole(agentsWs(second.ports.http), adminToken);
  const { socket: user, sessionId } = await connect(world.ws, 'chat.v2');
  const first = randomUUID();
  await sendStored(user, first);
  await answer(world.bus, sessionId, first);
  user.send({ type: 'handoff' });
  await user.waitFor((f) => f.type === 'status' && f.status === 'waiting');
  await sendStored(user, randomUUID(), 'my card is lost');
  // The status notices and the handed message move the console; the `bot` exchange before them does not.
  const before = [
    ['new_message', 'system'], ['session_status_changed', 'waiting'],
    ['new_message', 'user'], ['unread_count_updated', 1],
  ];
  await onA.waitFor((f) => f.session_id === sessionId && f.type === 'unread_count_updated');
  await onB.waitFor((f) => f.session_id === sessionId && f.type === 'unread_count_updated');
  expect(summary(eventsOf(onA, sessionId))).toEqual(before);
  expect(eventsOf(onB, sessionId)).toEqual(eventsOf(onA, sessionId));

  const last = Math.max(...(onA.frames as Event[]).filter((f) => typeof f.seq === 'number').map((f) => f.seq));
  await onA.close();
  await sendStored(user, randomUUID(), 'hello?');
  expect(await call('POST', `/api/admin/chats/${sessionId}/takeover`, agentToken)).toBe(200);
  expect(await call('POST', `/api/admin/chats/${sessionId}/messages`, agentToken, { message: 'I am here, let me look.' })).toBe(201);
  expect(await call('POST', `/api/admin/chats/${sessionId}/complete`, agentToken)).toBe(200);
  await onB.waitFor((f) => f.session_id === sessionId && f.type === 'session_completed');

  const back = await openConsole(agentsWs(second.ports.http, `?after=${last}`), agentToken);
  await back.waitFor((f) => f.session_id === sessionId && f.type === 'session_completed');
  const missed = eventsOf(back, sessionId);
  expect(summary(missed)).toEqual([
    ['new_message', 'user'], ['unread_count_updated', 2],
    ['new_message', 'system'], ['session_status_changed', 'agent'],
    ['new_message', 'agent'], ['unread_count_updated', 0],
    ['new_message', 'system'], ['session_status_changed', 'completed'], ['session_completed', 3],
  ]);
  expect(missed).toEqual(eventsOf(onB, sessionId).filter((e) => e.seq > last));
  expect(missed.every((e) => e.seq > last)).toBe(true);
  expect(back.frames[0]).toMatchObject({ type: 'ready', resumed_after: last });
  await Promise.all([onB.close(), back.close(), user.close()]);
});

test('a customer token is refused with 4403, no credential or a forged one with 4401', async () => {
  const customer = await TestSocket.open(agentsWs(firstPort(), `?token=${customerToken}`));
  const forged = await forgeToken({ sub: AGENT, role: 'agent', secret: 'not-the-gateway-secret-0123456789abcdef' });
  const sockets = await Promise.all([
    TestSocket.open(agentsWs(firstPort())),
    TestSocket.open(agentsWs(firstPort(), `?token=${forged}`)),
  ]);
  await eventuallyClosed([customer, ...sockets]);
  expect([customer, ...sockets].map((s) => s.closed?.code)).toEqual([4403, 4401, 4401]);
  expect([customer, ...sockets].flatMap((s) => s.frames)).toEqual([]);
});

async function eventuallyClosed(sockets: TestSocket[]): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (sockets.some((s) => !s.closed) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}
