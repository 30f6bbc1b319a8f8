import { randomUUID } from 'node:crypto';
import { Bus } from '@chatbot/bus';
import type { ChatInboundV1, StreamName } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { prefixedStream, setDuplicateWindow, startStubLlm, startSystem, type StubLlm, type TestSystem } from '@chatbot/testkit';
import { ChatLogRows, errorFrames, finalFrames, isUnavailable, metric, openV2, pause, type Session } from './support/chat';

/**
 * A resend the broker no longer recognises: its dedupe window (two minutes) is over, so the copy
 * reaches chat-log, qna-cache and the LLM again. Waiting two minutes is replaced by shrinking the
 * window of the running streams to one second, so the copies travel the real path: through the
 * gateway's publish, into JetStream as new messages. A copy published by hand with another
 * Nats-Msg-Id (a second gateway's retry, say) is checked too.
 */
const WINDOW_MS = 1_000;
const REPLY_TIMEOUT_MS = 6_000;
const QUIET_MS = REPLY_TIMEOUT_MS + 1_500;

let llm: StubLlm;
let system: TestSystem;
let rows: ChatLogRows;
let bus: Bus;

beforeAll(async () => {
  llm = await startStubLlm({ script: { text: '한 번만 보여야 하는 답변입니다.' } });
  system = await startSystem({ env: { LLM_BASE_URL: llm.url, LLM_HISTORY_TURNS: '0', REPLY_TIMEOUT_MS: String(REPLY_TIMEOUT_MS) } });
  rows = await ChatLogRows.open(system);
  bus = await Bus.connect({ url: system.env.natsUrl, prefix: system.env.prefix, name: 'dedupe-window-test', logger: createLogger('test', 'silent') });
  for (const name of ['CHAT_INBOUND', 'CHAT_STORED', 'CHAT_REPLIES', 'LLM_JOBS'] as StreamName[]) await setDuplicateWindow(system.env.natsUrl, prefixedStream(system.env.prefix, name), WINDOW_MS);
}, 120_000);
afterAll(async () => {
  await bus?.close();
  await rows?.close();
  await system?.stop();
  await llm?.close();
});

const resend3 = (session: Session, messageId: string, message: string) =>
  [1, 2, 3].forEach(() => session.socket.send({ message_id: messageId, message }));

test('a message resent after the dedupe window, on its socket and after a resume, is stored once and answered once', async () => {
  const chatLogOps = `http://127.0.0.1:${system.byName('chat-log').ports.ops}`;
  const first = await openV2(system);
  const id = randomUUID();
  const text = '해외 결제 수수료가 궁금해요';
  first.socket.send({ message_id: id, message: text });
  const [reply] = await first.socket.waitFor((f) => f.type === 'reply' && f.message_id === id, 1, 20_000);
  expect(reply).toMatchObject({ seq: 1, message: '한 번만 보여야 하는 답변입니다.' });

  await pause(WINDOW_MS + 500);
  resend3(first, id, text); // new to the broker: chat-log sees it again and answers with the same frame
  await first.socket.waitFor((f) => f.type === 'stored' && f.message_id === id, 2);
  await first.socket.close();

  const resumed = await openV2(system, { sessionId: first.sessionId, lastSeq: 1 });
  await pause(WINDOW_MS + 500);
  resend3(resumed, id, text); // pending again on this socket until the same frame comes back
  const late: ChatInboundV1 = {
    session_id: first.sessionId,
    message_id: id,
    text,
    received_at: new Date().toISOString(),
    gateway_id: 'another-gateway',
    protocol: 2,
  };
  await bus.publish('chatInbound', first.sessionId, late, { msgId: `${first.sessionId}:${id}:retry` });

  await pause(QUIET_MS);
  const finals = [...finalFrames(first.socket, id), ...finalFrames(resumed.socket, id)];
  expect(finals.map((f) => f.seq)).toEqual([1]);
  expect(finals.filter(isUnavailable)).toEqual([]);
  expect([...errorFrames(first.socket), ...errorFrames(resumed.socket)]).toEqual([]);
  expect(await rows.messages(id)).toBe(1);
  // Answered before the copies came: chat-log did not route them on, so the model was asked once.
  expect(llm.requests).toHaveLength(1);
  // The copies really reached chat-log, which answered them with the committed frame again: once
  // per round at least (the second round and the late copy may share one batch, hence not 3).
  expect(await metric(chatLogOps, 'chatbot_chatlog_frames_published_total', 'path="resend"')).toBeGreaterThanOrEqual(2);
  expect(await metric(system.gateways[0], 'chatbot_gateway_reply_timeouts_total')).toBe(0);
  await resumed.socket.close();
});
