import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { startStubLlm, startSystem, type StubLlm, type TestSystem } from '@chatbot/testkit';
import { lastUserText, metric, openV2, pause, type Frame, type Session } from './support/chat';

/**
 * A v2 client that stops reading while the LLM streams it long answers: the gateway drops its
 * deltas instead of queueing them, closes it as a slow reader (1008), and another v2 client
 * streaming at the same time gets every delta and its final reply. The LLM is the stub, streaming
 * slowly; everything else is the real system.
 *
 * Loopback sockets buffer about 4 MB in the kernel before the gateway's own queue grows at all,
 * so the slow client asks several questions with long answers (each under NATS's 1 MB payload).
 */
const SLOW_ANSWER = 'slow '.repeat(140_000); // 700 KB
const SLOW_CHUNKS = 100;
const FAST_PIECES = 250;
const FAST_ANSWER = Array.from({ length: FAST_PIECES }, (_, i) => `piece-${i} `).join('');
const QUESTIONS = 8;
const BOUND_BYTES = 65_536;

let llm: StubLlm;
let system: TestSystem;

beforeAll(async () => {
  llm = await startStubLlm({
    script: (request) =>
      lastUserText(request).includes('slow-reader')
        ? { text: SLOW_ANSWER, chunks: SLOW_CHUNKS, tokenDelayMs: 5 }
        : { text: FAST_ANSWER, chunks: FAST_PIECES, tokenDelayMs: 20 },
  });
  system = await startSystem({
    env: {
      LLM_BASE_URL: llm.url,
      LLM_HISTORY_TURNS: '0',
      WS_MAX_BUFFERED_BYTES: String(BOUND_BYTES),
      WS_SLOW_READER_MS: '1000',
      REPLY_TIMEOUT_MS: '30000',
    },
  });
}, 120_000);
afterAll(async () => {
  await system?.stop();
  await llm?.close();
});

const frames = (session: Session, type: string) => session.socket.frames.filter((f): f is Frame => (f as Frame).type === type);
const tcp = (session: Session) => (session.socket.ws as unknown as { _socket: Socket })._socket;

test('a v2 client that stops reading during long streamed replies is cut off as a slow reader; a streaming neighbour misses nothing', async () => {
  const slow = await openV2(system);
  const fast = await openV2(system);
  const slowClosed = () => metric(system.gateways[0], 'chatbot_gateway_ws_closed_total', 'reason="slow_reader",code="1008"');

  for (let i = 0; i < QUESTIONS; i += 1) slow.socket.send({ message_id: randomUUID(), message: `slow-reader question ${i}` });
  tcp(slow).pause();
  const fastId = randomUUID();
  fast.socket.send({ message_id: fastId, message: 'fast-reader question' });

  const deadline = Date.now() + 40_000;
  while ((await slowClosed()) === 0 && Date.now() < deadline) await pause(50);
  expect(await slowClosed()).toBe(1);
  expect(await metric(system.gateways[0], 'chatbot_gateway_deliveries_dropped_total', 'reason="slow_reader"')).toBeGreaterThan(0);

  // Reading again, the slow client finds what was queued when it was cut off (fewer deltas than
  // were streamed for it, every reply up to some seq), then the close frame.
  tcp(slow).resume();
  for (let waited = 0; slow.socket.closed === null && waited < 10_000; waited += 50) await pause(50);
  expect(slow.socket.closed).toEqual({ code: 1008, reason: 'slow reader' });
  const slowDeltas = frames(slow, 'delta');
  expect(slowDeltas.length).toBeLessThan(SLOW_CHUNKS * QUESTIONS);
  const slowReplies = frames(slow, 'reply');
  expect(slowReplies.map((f) => f.seq)).toEqual(slowReplies.map((_, i) => i + 1)); // no reply skipped

  // The neighbour streamed at the same time and got every delta, in order, and its reply.
  const [reply] = await fast.socket.waitFor((f) => f.type === 'reply' && f.message_id === fastId, 1, 40_000);
  const deltas = frames(fast, 'delta').filter((f) => f.message_id === fastId);
  // Every delta, in order. llm-dispatch joins pieces that arrive within DELTA_COALESCE_MS into one
  // delta, and a loaded machine delivers the stub's 20 ms pieces in bursts, so there may be fewer
  // deltas than pieces; the text is all there, and it still streamed.
  expect(deltas.map((f) => f.index)).toEqual(deltas.map((_, i) => i));
  expect(deltas.length).toBeGreaterThan(FAST_PIECES / 2);
  expect(deltas.map((f) => f.text).join('')).toBe(FAST_ANSWER);
  expect(reply.message).toBe(FAST_ANSWER);
  expect(fast.socket.closed).toBeNull();
  await fast.socket.close();
}, 90_000);
