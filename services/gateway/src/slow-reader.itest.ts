import type { Socket } from 'node:net';
import type { SessionDeliveryV1 } from '@chatbot/proto';
import { committed, connect, eventually, metric, startWorld, type GatewayWorld } from '../test/harness';

// A small bound and a short grace, so a stalled reader shows within a test's time.
let world: GatewayWorld;

beforeAll(async () => {
  world = await startWorld({ WS_MAX_BUFFERED_BYTES: '65536', WS_SLOW_READER_MS: '500' });
});
afterAll(() => world?.stop());

const CHUNK = 'x'.repeat(200_000);
/** The most the test pushes (64 MB) before it gives up waiting for the gateway to act. */
const MAX_ROUNDS = 320;

test('a socket that stops reading loses its deltas, not its replies, and is closed as a slow reader; another socket keeps getting its frames', async () => {
  const slow = await connect(world.ws, 'chat.v2');
  const fast = await connect(world.ws, 'chat.v2');
  // Stop reading: the kernel buffers fill, then the gateway's queue for this socket grows.
  (slow.socket.ws as unknown as { _socket: Socket })._socket.pause();
  const deliver = (sessionId: string, payload: SessionDeliveryV1) => world.bus.publish('sessionDelivery', sessionId, payload);
  const slowClosed = () => metric(world.http, 'chatbot_gateway_ws_closed_total', 'reason="slow_reader",code="1008"');

  let rounds = 0;
  while (rounds < MAX_ROUNDS && (rounds % 4 !== 0 || (await slowClosed()) === 0)) {
    rounds += 1;
    await deliver(slow.sessionId, { type: 'frame', frame: committed(rounds, null, CHUNK) });
    await deliver(slow.sessionId, { type: 'delta', message_id: 'streaming', index: rounds - 1, text: CHUNK });
    await deliver(fast.sessionId, { type: 'frame', frame: committed(rounds, null, `small ${rounds}`) });
    await world.bus.flush();
  }
  expect(await slowClosed()).toBe(1);
  expect(await metric(world.http, 'chatbot_gateway_deliveries_dropped_total', 'reason="slow_reader"')).toBeGreaterThan(0);

  // The other socket got every frame, in order, while its neighbour was stalled.
  const fastReplies = await fast.socket.waitFor((f) => f.type === 'reply', rounds);
  expect(fastReplies.map((f) => f.seq)).toEqual(Array.from({ length: rounds }, (_, i) => i + 1));
  expect(fast.socket.closed).toBeNull();

  // Reading again, the slow client finds what was queued before the close: every reply up to
  // some seq, none skipped, fewer deltas than were sent, then the close frame.
  (slow.socket.ws as unknown as { _socket: Socket })._socket.resume();
  await eventually(() => expect(slow.socket.closed).toEqual({ code: 1008, reason: 'slow reader' }));
  const replies = slow.socket.frames.filter((f) => (f as { type?: string }).type === 'reply') as Array<{ seq: number }>;
  expect(replies.length).toBeGreaterThan(0);
  expect(replies.map((f) => f.seq)).toEqual(Array.from({ length: replies.length }, (_, i) => i + 1));
  const deltas = slow.socket.frames.filter((f) => (f as { type?: string }).type === 'delta');
  expect(deltas.length).toBeLessThan(rounds);
  await fast.socket.close();
});
