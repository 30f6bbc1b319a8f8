import { UNAVAILABLE_MESSAGE } from '@chatbot/proto';
import { whileStreamRefuses } from '@chatbot/testkit';
import { committed, connect, eventually, metric, startWorld, StreamLog, type GatewayWorld, type InboundLog, type ReplyLog } from '../test/harness';

let world: GatewayWorld;
let inbound: InboundLog;
let replies: ReplyLog;

/** Messages chat-log (played here) handed to a person; their `handed` notice is never published, as if lost. */
const handed = new Set<string>();

beforeAll(async () => {
  world = await startWorld({ REPLY_TIMEOUT_MS: '1200' });
  inbound = await StreamLog.start(world.bus, 'chatInbound');
  replies = await StreamLog.start(world.bus, 'chatReply');
  world.bus.serve('prompt', async ({ message_id: messageId }) =>
    handed.has(messageId) ? { message: 'stored' as const, frame: null, handed: 'agent' as const } : { message: 'missing' as const, frame: null });
});
afterAll(() => world?.stop());

const isBot = (frame: Record<string, unknown>) => frame.sender === 'bot';

test('an unanswered message gets exactly one unavailable frame, a failure candidate, and its late frame is dropped', async () => {
  const { socket, sessionId } = await connect(world.ws);
  socket.send({ message_id: 'slow-1', message: '안녕' });
  const [unavailable] = await socket.waitFor(isBot);
  expect(unavailable).toEqual({ sender: 'bot', timestamp: expect.any(String), message_id: 'slow-1', login_required: false, message: UNAVAILABLE_MESSAGE });

  const [candidate] = await eventually(() => {
    const found = replies.of(sessionId);
    expect(found).toHaveLength(1);
    return found;
  });
  expect(candidate).toEqual({
    reply_id: `timeout:${sessionId}:slow-1`,
    session_id: sessionId,
    kind: 'failure',
    prompt_message_id: 'slow-1',
    answer: { message: UNAVAILABLE_MESSAGE, login_required: false },
    source: 'gateway',
    error_code: 'E5001',
    produced_at: expect.any(String),
  });
  // The failure candidate carries the message's correlation id.
  const inboundCorrelation = inbound.deliveries.find((d) => d.token === sessionId)?.correlationId;
  expect(replies.deliveries.find((d) => d.token === sessionId)?.correlationId).toBe(inboundCorrelation);

  // The real answer arrives late (seq 1), then a push (seq 2): only the push reaches the user.
  await world.bus.publish('sessionDelivery', sessionId, { type: 'delta', message_id: 'slow-1', index: 0, text: 'late' });
  await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(1, 'slow-1', 'too late') });
  await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(2, null, 'push') });
  await socket.waitFor((f) => f.message === 'push');
  expect(socket.frames.filter(isBot as never).map((f) => (f as { message: string }).message)).toEqual([UNAVAILABLE_MESSAGE, 'push']);
  expect(await metric(world.http, 'chatbot_gateway_reply_timeouts_total')).toBeGreaterThanOrEqual(1);
  await socket.close();
});

test('typing and deltas keep a slow answer from timing out', async () => {
  const { socket, sessionId } = await connect(world.ws, 'chat.v2');
  socket.send({ message_id: 'streaming', message: '길게 답해줘' });
  await socket.waitFor((f) => f.type === 'accepted');
  await world.bus.publish('sessionDelivery', sessionId, { type: 'typing', message_id: 'streaming' });
  for (let index = 0; index < 5; index++) {
    await new Promise((resolve) => setTimeout(resolve, 500)); // 2.5 s in all, twice the timeout
    await world.bus.publish('sessionDelivery', sessionId, { type: 'delta', message_id: 'streaming', index, text: `${index}` });
  }
  await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(1, 'streaming', '01234') });
  const [reply] = await socket.waitFor((f) => f.type === 'reply');
  expect(reply).toMatchObject({ message_id: 'streaming', message: '01234', seq: 1 });
  expect(socket.frames.filter((f) => (f as { type?: string }).type === 'reply')).toHaveLength(1);
  expect(replies.of(sessionId)).toEqual([]);
  expect(await metric(world.http, 'chatbot_gateway_time_to_first_token_seconds_count')).toBeGreaterThanOrEqual(1);
  await socket.close();
});

test('a v2 timeout is an E5001 error frame; the committed frame is then its one reply', async () => {
  const { socket, sessionId } = await connect(world.ws, 'chat.v2');
  socket.send({ message_id: 'slow-2', message: '안녕' });
  const [error] = await socket.waitFor((f) => f.type === 'error');
  expect(error).toEqual({ type: 'error', error: expect.any(String), code: 'E5001', message_id: 'slow-2', seq: 0 });
  expect(socket.frames.some((f) => (f as { type?: string }).type === 'reply')).toBe(false);
  await eventually(() => expect(replies.of(sessionId)).toHaveLength(1)); // the failure candidate

  // chat-log commits whichever candidate came first (here the late answer): that is the reply.
  await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(1, 'slow-2', 'late answer') });
  const [reply] = await socket.waitFor((f) => f.type === 'reply');
  expect(reply).toMatchObject({ type: 'reply', message_id: 'slow-2', message: 'late answer', seq: 1 });
  await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(2, null, 'push') });
  await socket.waitFor((f) => f.message === 'push');
  expect(socket.frames.filter((f) => (f as { type?: string }).type === 'reply')).toHaveLength(2);
  await socket.close();
});

test('a closed socket leaves no timer behind: no failure candidate for its messages', async () => {
  const { socket, sessionId } = await connect(world.ws);
  socket.send({ message_id: 'gone', message: '안녕' });
  await eventually(() => expect(inbound.of(sessionId)).toHaveLength(1));
  await socket.close();
  // A later session that times out proves time has passed beyond the first one's deadline.
  const other = await connect(world.ws);
  other.socket.send({ message_id: 'probe', message: '안녕' });
  await other.socket.waitFor(isBot);
  await eventually(() => expect(replies.of(other.sessionId)).toHaveLength(1));
  expect(replies.of(sessionId)).toEqual([]);
  await other.socket.close();
});

test('a message the broker does not take is answered at once: v1 unavailable frame, v2 E5006', async () => {
  await whileStreamRefuses(world.env, 'CHAT_INBOUND', async () => {
    const v1 = await connect(world.ws);
    v1.socket.send({ message_id: 'lost-1', message: '안녕' });
    const [bot] = await v1.socket.waitFor(isBot);
    expect(bot).toMatchObject({ message_id: 'lost-1', login_required: false, message: UNAVAILABLE_MESSAGE });

    const v2 = await connect(world.ws, 'chat.v2');
    v2.socket.send({ message_id: 'lost-2', message: '안녕' });
    const [error] = await v2.socket.waitFor((f) => f.type === 'error');
    expect(error).toEqual({ type: 'error', error: expect.any(String), code: 'E5006', message_id: 'lost-2', seq: 0 });
    expect(v2.socket.frames.some((f) => (f as { type?: string }).type === 'accepted')).toBe(false);
    expect(await metric(world.http, 'chatbot_gateway_publish_failures_total')).toBe(2);
    await Promise.all([v1.socket.close(), v2.socket.close()]);
  });
});

test('a handed message whose `handed` notice was lost is settled when its timer fires: chat-log is asked first, no timeout is told', async () => {
  const { socket, sessionId } = await connect(world.ws, 'chat.v2');
  handed.add('held-1');
  socket.send({ message_id: 'held-1', message: '상담원과 이야기할래요' });
  await socket.waitFor((f) => f.type === 'accepted');
  const [told] = await socket.waitFor((f) => f.type === 'handed');
  expect(told).toMatchObject({ type: 'handed', message_id: 'held-1', status: 'agent' });
  // The agent's words arrive later as a frame of their own: the one thing the client sees next.
  await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: { ...committed(1, null, '상담원입니다'), sender: 'agent' } });
  await socket.waitFor((f) => f.type === 'agent');
  expect(socket.frames.filter((f) => (f as { type?: string }).type === 'error')).toEqual([]);
  expect(replies.of(sessionId)).toEqual([]); // no failure candidate
  await socket.close();
});
