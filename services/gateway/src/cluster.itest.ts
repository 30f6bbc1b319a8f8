import { startService, type RunningService } from '@chatbot/testkit';
import { answer, connect, eventually, sendStored, startWorld, type GatewayWorld } from '../test/harness';

let world: GatewayWorld;
let second: RunningService;
let secondWs: string;

beforeAll(async () => {
  // The real chat-log serves the resume replay.
  world = await startWorld({ GATEWAY_ID: 'gw-a' }, { peers: ['chat-log'] });
  second = await startService('gateway', { ...world.env.env, GATEWAY_ID: 'gw-b' }, { instance: 'b' });
  secondWs = `ws://127.0.0.1:${second.ports.http}/api/chat/ws`;
});
afterAll(async () => {
  await second?.process.stop('SIGTERM', 15_000);
  await world?.stop();
});

test('a delivery for a session reaches the instance holding its socket, whichever that is', async () => {
  const onA = await connect(world.ws);
  const onB = await connect(secondWs, 'chat.v2');
  const [forA, forB] = [`for-a-${onA.sessionId}`, `for-b-${onB.sessionId}`];
  onA.socket.send({ message_id: forA, message: '안녕' });
  await sendStored(onB.socket, forB);
  // v1 has no stored frame: chat-log says when it has the message
  await eventually(async () => expect((await world.bus.request('prompt', { session_id: onA.sessionId, message_id: forA })).message).toBe('stored'));
  // chat-log commits both answers and publishes each frame to its session's subject
  await answer(world.bus, onB.sessionId, forB);
  await answer(world.bus, onA.sessionId, forA);
  const [a] = await onA.socket.waitFor((f) => f.sender === 'bot');
  const [b] = await onB.socket.waitFor((f) => f.type === 'reply');
  expect(a.message_id).toBe(forA);
  expect(b.message_id).toBe(forB);
  expect(onA.socket.frames).toHaveLength(2);
  expect(onB.socket.frames.map((f) => (f as { type?: string }).type)).toEqual(['session', 'accepted', 'stored', 'reply']);
  await Promise.all([onA.socket.close(), onB.socket.close()]);
});

test('presence is answered by the instance holding the session', async () => {
  const onA = await connect(world.ws);
  const onB = await connect(secondWs);
  await expect(world.bus.request('presence', {}, { token: onA.sessionId })).resolves.toEqual({ gateway_id: 'gw-a' });
  await expect(world.bus.request('presence', {}, { token: onB.sessionId })).resolves.toEqual({ gateway_id: 'gw-b' });
  await Promise.all([onA.socket.close(), onB.socket.close()]);
});

test('a v2 client resumes its session on the other instance after losing the first', async () => {
  const first = await connect(world.ws, 'chat.v2');
  const [p1, p2] = ['p-1', 'p-2'].map((tag) => `${tag}-${first.sessionId}`);
  await sendStored(first.socket, p1);
  await sendStored(first.socket, p2);
  await answer(world.bus, first.sessionId, p1);
  await first.socket.waitFor((f) => f.type === 'reply');
  await first.socket.close();
  // chat-log commits the second answer while the client has no socket: seq 2 waits there for it.
  await answer(world.bus, first.sessionId, p2);
  await eventually(async () => expect((await world.bus.request('frames', { session_id: first.sessionId, after_seq: 1 })).last_seq).toBe(2));
  const resumed = await connect(`${secondWs}?protocol=2&session_id=${first.sessionId}&last_seq=1`);
  const [reply] = await resumed.socket.waitFor((f) => f.type === 'reply');
  expect(reply).toMatchObject({ message_id: p2, seq: 2 });
  await expect(world.bus.request('presence', {}, { token: first.sessionId })).resolves.toEqual({ gateway_id: 'gw-b' });
  await resumed.socket.close();
});

test('on SIGTERM an instance closes its sockets with 1001 and exits cleanly, the other keeps serving', async () => {
  const onB = await connect(secondWs, 'chat.v2');
  onB.socket.send({ message_id: 'before-stop', message: '안녕' });
  await onB.socket.waitFor((f) => f.type === 'accepted');
  await second.process.stop('SIGTERM', 15_000);
  // The process may exit before this side has read the end of the close handshake.
  await eventually(() => expect(onB.socket.closed?.code).toBe(1001));
  await eventually(() => expect(second.logs.some((line) => line.includes('"msg":"stopped"'))).toBe(true));
  const onA = await connect(world.ws);
  await expect(world.bus.request('presence', {}, { token: onA.sessionId })).resolves.toEqual({ gateway_id: 'gw-a' });
  await onA.socket.close();
});
