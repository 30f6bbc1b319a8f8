import { randomUUID } from 'node:crypto';
import type { CommittedFrame } from '@chatbot/proto';
import { committed, connect, eventually, startWorld, TestSocket, type GatewayWorld } from './gateway.itest-support';

let world: GatewayWorld;
/** What the test's chat-log has committed, per session. */
const stored = new Map<string, CommittedFrame[]>();
const expired = new Set<string>();
const racing = new Set<string>();

beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world?.stop());

function serveFrames() {
  world.bus.serve('frames', async ({ session_id, after_seq }) => {
    const frames = stored.get(session_id) ?? [];
    const last_seq = frames.at(-1)?.seq ?? 0;
    if (expired.has(session_id)) return { frames: [], last_seq, resync: true };
    // A frame released while the gateway is still replaying must come after the replayed ones.
    if (racing.has(session_id)) await world.bus.publish('sessionDelivery', session_id, { type: 'frame', frame: committed(last_seq + 1, 'live') });
    return { frames: frames.filter((f) => f.seq > after_seq), last_seq, resync: false };
  });
  return world.bus.nc.flush();
}

const resumeUrl = (sessionId: string, lastSeq: number) => `${world.ws}?protocol=2&session_id=${sessionId}&last_seq=${lastSeq}`;
const replies = (socket: TestSocket) =>
  socket.frames.filter((f) => (f as { type?: string }).type === 'reply').map((f) => [(f as { seq: number }).seq, (f as { message_id: string }).message_id]);

test('a resume that chat-log cannot serve keeps the session and asks the client to resync', async () => {
  const sessionId = randomUUID();
  const socket = await TestSocket.open(resumeUrl(sessionId, 4));
  const [session, resync] = await socket.waitFor(() => true, 2);
  expect(session).toEqual({ type: 'session', session_id: sessionId, protocol: 2, resumed: true, seq: 4 });
  expect(resync).toEqual({ type: 'resync', reason: 'history_unavailable', seq: 4 });
  await socket.close();
});

test('a resumed session gets every missed committed frame in order, then live ones without duplicates', async () => {
  await serveFrames();
  const sessionId = randomUUID();
  stored.set(sessionId, [1, 2, 3, 4].map((seq) => committed(seq, `p-${seq}`)));
  const socket = await TestSocket.open(resumeUrl(sessionId, 2));
  await socket.waitFor((f) => f.type === 'reply', 2);
  expect(socket.frames[0]).toEqual({ type: 'session', session_id: sessionId, protocol: 2, resumed: true, seq: 2 });
  expect(replies(socket)).toEqual([[3, 'p-3'], [4, 'p-4']]);
  await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(4, 'p-4') });
  await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(5, 'p-5') });
  await socket.waitFor((f) => f.type === 'reply', 3);
  expect(replies(socket)).toEqual([[3, 'p-3'], [4, 'p-4'], [5, 'p-5']]);
  // The session is live here: presence answers for it.
  await expect(world.bus.request('presence', {}, { token: sessionId })).resolves.toHaveProperty('gateway_id');
  await socket.close();
});

test('frames released during the replay follow the replayed ones', async () => {
  const sessionId = randomUUID();
  stored.set(sessionId, [committed(1, 'p-1'), committed(2, 'p-2')]);
  racing.add(sessionId);
  const socket = await TestSocket.open(resumeUrl(sessionId, 0));
  await socket.waitFor((f) => f.type === 'reply', 3);
  expect(replies(socket)).toEqual([[1, 'p-1'], [2, 'p-2'], [3, 'live']]);
  await socket.close();
});

test('when chat-log no longer keeps the missed frames the client is told to resync from the last seq', async () => {
  const sessionId = randomUUID();
  stored.set(sessionId, [committed(7, 'p-7')]);
  expired.add(sessionId);
  const socket = await TestSocket.open(resumeUrl(sessionId, 1));
  const [, resync] = await socket.waitFor(() => true, 2);
  expect(resync).toEqual({ type: 'resync', reason: 'frames_expired', seq: 7 });
  await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(8, 'p-8') });
  const [reply] = await socket.waitFor((f) => f.type === 'reply');
  expect(reply).toMatchObject({ message_id: 'p-8', seq: 8 });
  await socket.close();
});

test('resuming a session that is still open moves it to the new socket', async () => {
  const first = await connect(world.ws, 'chat.v2');
  const second = await TestSocket.open(resumeUrl(first.sessionId, 0));
  await second.waitFor((f) => f.type === 'session');
  await eventually(() => expect(first.socket.closed?.code).toBe(4001));
  await world.bus.publish('sessionDelivery', first.sessionId, { type: 'frame', frame: committed(1, 'p-1') });
  await second.waitFor((f) => f.type === 'reply');
  expect(first.socket.frames.some((f) => (f as { type?: string }).type === 'reply')).toBe(false);
  await second.close();
});

test('a live frame past a gap waits while the missing frames are fetched: the client sees every seq in order', async () => {
  await serveFrames();
  const sessionId = randomUUID();
  stored.set(sessionId, [1, 2, 3, 4].map((seq) => committed(seq, `g-${seq}`)));
  const socket = await TestSocket.open(resumeUrl(sessionId, 1));
  await socket.waitFor((f) => f.type === 'reply', 3); // the replay: 2, 3, 4
  // 5 and 6 are committed, 5 is lost on the way (core NATS while the link was down), 6 arrives.
  stored.get(sessionId)!.push(committed(5, 'g-5'), committed(6, 'g-6'));
  await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(6, 'g-6') });
  await socket.waitFor((f) => f.type === 'reply', 5);
  expect(replies(socket)).toEqual([[2, 'g-2'], [3, 'g-3'], [4, 'g-4'], [5, 'g-5'], [6, 'g-6']]);
  await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(5, 'g-5') }); // the lost one, late
  await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(7, 'g-7') });
  await socket.waitFor((f) => f.type === 'reply', 6);
  expect(replies(socket).map(([seq]) => seq)).toEqual([2, 3, 4, 5, 6, 7]);
  await socket.close();
});
