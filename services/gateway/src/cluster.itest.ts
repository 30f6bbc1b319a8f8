import { startService, type RunningService } from '@chatbot/testkit';
import { committed, connect, eventually, startWorld, type GatewayWorld } from './gateway.itest-support';

let world: GatewayWorld;
let second: RunningService;
let secondWs: string;

beforeAll(async () => {
  world = await startWorld({ GATEWAY_ID: 'gw-a' });
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
  await world.bus.publish('sessionDelivery', onB.sessionId, { type: 'frame', frame: committed(1, 'for-b') });
  await world.bus.publish('sessionDelivery', onA.sessionId, { type: 'frame', frame: committed(1, 'for-a') });
  const [a] = await onA.socket.waitFor((f) => f.sender === 'bot');
  const [b] = await onB.socket.waitFor((f) => f.type === 'reply');
  expect(a.message_id).toBe('for-a');
  expect(b.message_id).toBe('for-b');
  expect(onA.socket.frames).toHaveLength(2);
  expect(onB.socket.frames).toHaveLength(2);
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
  world.bus.serve('frames', async ({ after_seq }) => ({
    frames: [committed(1, 'p-1'), committed(2, 'p-2')].filter((f) => f.seq > after_seq),
    last_seq: 2,
    resync: false,
  }));
  await world.bus.nc.flush();
  const first = await connect(world.ws, 'chat.v2');
  await world.bus.publish('sessionDelivery', first.sessionId, { type: 'frame', frame: committed(1, 'p-1') });
  await first.socket.waitFor((f) => f.type === 'reply');
  await first.socket.close();
  const resumed = await connect(`${secondWs}?protocol=2&session_id=${first.sessionId}&last_seq=1`);
  const [reply] = await resumed.socket.waitFor((f) => f.type === 'reply');
  expect(reply).toMatchObject({ message_id: 'p-2', seq: 2 });
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
