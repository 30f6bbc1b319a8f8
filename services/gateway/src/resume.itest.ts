import { randomUUID } from 'node:crypto';
import { requests } from '@chatbot/proto';
import { BrokerAdmin } from '@chatbot/testkit';
import {
  answer,
  committedConversation,
  connect,
  eventually,
  metric,
  sendStored,
  startWorld,
  TestSocket,
  type GatewayWorld,
} from '../test/harness';

/**
 * Resumes against the real chat-log: the frames it replays are ones it committed (messages sent on
 * a socket, answered by a reply candidate as qna-cache or a worker publishes it). It keeps at most
 * REPLAY_LIMIT frames for one resume; a client further behind is told to resync. The gateway
 * reaches NATS through a link that can lose a message on the way, as core NATS does.
 */
const REPLAY_LIMIT = 3;
let world: GatewayWorld;

beforeAll(async () => {
  world = await startWorld(
    { REQUEST_TIMEOUT_MS: '3000' },
    { peers: ['chat-log'], peerEnv: { 'chat-log': { REPLAY_LIMIT: String(REPLAY_LIMIT) } }, lossyLink: true },
  );
});
afterAll(() => world?.stop());

const resumeUrl = (sessionId: string, lastSeq: number) => `${world.ws}?protocol=2&session_id=${sessionId}&last_seq=${lastSeq}`;
const replies = (socket: TestSocket) =>
  socket.frames.filter((f) => (f as { type?: string }).type === 'reply').map((f) => [(f as { seq: number }).seq, (f as { message_id: string }).message_id]);
const ids = (tag: string, count: number) => Array.from({ length: count }, (_, i) => `${tag}-${i + 1}-${randomUUID()}`);

/**
 * The message reaches chat-log again, as after the broker's two-minute dedupe window (published
 * without its Nats-Msg-Id): chat-log answers it with the frame it already committed, same seq.
 * Expects the frames chat-log then publishes for the session to carry the `expected` seqs.
 */
async function resendToChatLog(sessionId: string, messageId: string, expected: number[]): Promise<void> {
  const seqs: number[] = [];
  const watch = world.bus.subscribe('sessionDelivery', sessionId, (delivery) => {
    if (delivery.type === 'frame') seqs.push(delivery.frame.seq);
  });
  try {
    await world.bus.flush();
    await world.bus.publish('chatInbound', sessionId, {
      session_id: sessionId,
      message_id: messageId,
      text: `question ${messageId}`,
      received_at: new Date().toISOString(),
      gateway_id: 'gateway-itest',
      protocol: 2,
    });
    await eventually(() => expect(seqs).toEqual(expected));
  } finally {
    watch.unsubscribe();
  }
}

function frameSeq(payload: Buffer): number | undefined {
  try {
    return (JSON.parse(payload.toString('utf8')) as { frame?: { seq?: number } }).frame?.seq;
  } catch {
    return undefined;
  }
}

test('a resume while chat-log is away is closed 1013 before any frame: who may open the session cannot be known', async () => {
  const sessionId = randomUUID();
  await world.whileDown('chat-log', async () => {
    const socket = await TestSocket.open(resumeUrl(sessionId, 4));
    await eventually(() => expect(socket.closed).toEqual({ code: 1013, reason: 'try again later' }));
    expect(socket.frames).toEqual([]);
  });
});

test('a resumed session gets every missed committed frame in order, then live ones without duplicates', async () => {
  const p = ids('p', 5);
  const sessionId = await committedConversation(world, p.slice(0, 4));
  const socket = await TestSocket.open(resumeUrl(sessionId, 2));
  await socket.waitFor((f) => f.type === 'reply', 2);
  expect(socket.frames[0]).toEqual({ type: 'session', session_id: sessionId, protocol: 2, resumed: true, seq: 2 });
  expect(replies(socket)).toEqual([[3, p[2]], [4, p[3]]]);
  // The 4th message reaches chat-log again: it answers with the same frame, seq 4, which the client has.
  await resendToChatLog(sessionId, p[3], [4]);
  await sendStored(socket, p[4]);
  await answer(world.bus, sessionId, p[4]);
  await socket.waitFor((f) => f.type === 'reply', 3);
  expect(replies(socket)).toEqual([[3, p[2]], [4, p[3]], [5, p[4]]]);
  // The session is live here: presence answers for it.
  await expect(world.bus.request('presence', {}, { token: sessionId })).resolves.toHaveProperty('gateway_id');
  await socket.close();
});

test('frames released during the replay follow the replayed ones', async () => {
  const p = ids('r', 3);
  // Two answered messages and a third stored with no answer yet.
  const { socket: first, sessionId } = await connect(world.ws, 'chat.v2');
  for (const id of p) await sendStored(first, id);
  for (const id of p.slice(0, 2)) await answer(world.bus, sessionId, id);
  await first.waitFor((f) => f.type === 'reply', 2);
  await first.close();
  // chat-log is held while the gateway asks whether the client may open the session (then for the
  // missed frames); the third answer reaches it then, so it commits and publishes frame 3 while
  // it serves the resume.
  let asked = false;
  const admin = await BrokerAdmin.open(world.env);
  const watch = admin.watch(requests.sessionAccess.name, () => void (asked = true));
  await admin.flush();
  const socket = await world.whilePaused('chat-log', async () => {
    const resumed = await TestSocket.open(resumeUrl(sessionId, 0));
    await eventually(() => expect(asked).toBe(true));
    await answer(world.bus, sessionId, p[2]);
    await world.bus.flush();
    return resumed;
  });
  watch.unsubscribe();
  await admin.close();
  await socket.waitFor((f) => f.type === 'reply', 3);
  expect(replies(socket)).toEqual([[1, p[0]], [2, p[1]], [3, p[2]]]);
  await socket.close();
});

test('a client claiming a seq past the last committed frame is told to resync as unknown_seq, and the session goes on from the last one', async () => {
  const p = ids('u', 2);
  const sessionId = await committedConversation(world, p);
  const socket = await TestSocket.open(resumeUrl(sessionId, 7));
  const [, resync] = await socket.waitFor(() => true, 2);
  expect(resync).toEqual({ type: 'resync', reason: 'unknown_seq', seq: 2 });
  // The session goes on from chat-log's seq, not the client's claim: the next reply is shown.
  await sendStored(socket, 'u-next');
  await answer(world.bus, sessionId, 'u-next');
  const [reply] = await socket.waitFor((f) => f.type === 'reply');
  expect(reply).toMatchObject({ message_id: 'u-next', seq: 3 });
  await socket.close();
});

test('when chat-log no longer keeps the missed frames the client is told to resync from the last seq', async () => {
  const p = ids('x', REPLAY_LIMIT + 3);
  const sessionId = await committedConversation(world, p.slice(0, REPLAY_LIMIT + 2));
  // Four frames behind, one more than chat-log replays.
  const socket = await TestSocket.open(resumeUrl(sessionId, 1));
  const [, resync] = await socket.waitFor(() => true, 2);
  expect(resync).toEqual({ type: 'resync', reason: 'frames_expired', seq: REPLAY_LIMIT + 2 });
  await sendStored(socket, p.at(-1)!);
  await answer(world.bus, sessionId, p.at(-1)!);
  const [reply] = await socket.waitFor((f) => f.type === 'reply');
  expect(reply).toMatchObject({ message_id: p.at(-1), seq: REPLAY_LIMIT + 3 });
  await socket.close();
});

test('resuming a session that is still open moves it to the new socket', async () => {
  const first = await connect(world.ws, 'chat.v2');
  const second = await TestSocket.open(resumeUrl(first.sessionId, 0));
  await second.waitFor((f) => f.type === 'session');
  await eventually(() => expect(first.socket.closed?.code).toBe(4001));
  const [messageId] = ids('moved', 1);
  await sendStored(second, messageId);
  await answer(world.bus, first.sessionId, messageId);
  await second.waitFor((f) => f.type === 'reply');
  expect(first.socket.frames.some((f) => (f as { type?: string }).type === 'reply')).toBe(false);
  await second.close();
});

test('a live frame past a gap waits while the missing frames are fetched: the client sees every seq in order', async () => {
  const g = ids('g', 7);
  const sessionId = await committedConversation(world, g.slice(0, 4));
  const socket = await TestSocket.open(resumeUrl(sessionId, 1));
  await socket.waitFor((f) => f.type === 'reply', 3); // the replay: 2, 3, 4
  // 5 and 6 are committed, 5 is lost on the way (core NATS while the link was down), 6 arrives.
  const gapsBefore = await metric(world.http, 'chatbot_gateway_seq_gaps_total');
  const fifthLost = world.link!.loseNext((subject, payload) => subject.endsWith(sessionId) && frameSeq(payload) === 5);
  await sendStored(socket, g[4]);
  await sendStored(socket, g[5]);
  await answer(world.bus, sessionId, g[4]);
  await answer(world.bus, sessionId, g[5]);
  await fifthLost;
  await socket.waitFor((f) => f.type === 'reply', 5);
  expect(replies(socket)).toEqual([[2, g[1]], [3, g[2]], [4, g[3]], [5, g[4]], [6, g[5]]]);
  // 6 was held while 5 was fetched from chat-log
  expect(await metric(world.http, 'chatbot_gateway_seq_gaps_total')).toBe(gapsBefore + 1);
  // the lost one, late: chat-log sends frame 5 again when its message reaches it again
  await resendToChatLog(sessionId, g[4], [5]);
  await sendStored(socket, g[6]);
  await answer(world.bus, sessionId, g[6]);
  await socket.waitFor((f) => f.type === 'reply', 6);
  expect(replies(socket).map(([seq]) => seq)).toEqual([2, 3, 4, 5, 6, 7]);
  await socket.close();
});
