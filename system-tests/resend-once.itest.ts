import { randomUUID } from 'node:crypto';
import { startStubLlm, startSystem, type StubLlm, type TestSystem } from '@chatbot/testkit';
import { ChatLogRows, errorFrames, finalFrames, isUnavailable, lastUserText, metric, openV1, openV2, pause, type Session } from './support/chat';

/**
 * A client may send the same message_id again: v2 clients resend until `stored`, a resumed
 * session resends what it was not sure of. Within the broker's two-minute dedupe window the
 * broker drops the copy, so no new frame comes for it; the gateway must neither wait for one
 * (and time out with a second, "unavailable" frame) nor answer twice.
 * See resend-after-dedupe-window.itest.ts for resends the broker lets through again.
 */
const REPLY_TIMEOUT_MS = 6_000;
/** Longer than the reply timeout: a wrongly pending resend would have timed out by then. */
const QUIET_MS = REPLY_TIMEOUT_MS + 1_500;
const SLOW = '천천히 답해 주세요';

let llm: StubLlm;
let system: TestSystem;
let rows: ChatLogRows;

beforeAll(async () => {
  llm = await startStubLlm({
    script: (request) => (lastUserText(request).includes(SLOW) ? { text: '느린 답변입니다.', ttftMs: 1_200 } : { text: '답변입니다.' }),
  });
  system = await startSystem({
    env: { LLM_BASE_URL: llm.url, LLM_HISTORY_TURNS: '0', REPLY_TIMEOUT_MS: String(REPLY_TIMEOUT_MS) },
  });
  rows = await ChatLogRows.open(system);
}, 120_000);
afterAll(async () => {
  // No prompt of this file ever waited out the reply timeout.
  const timeouts = system ? await metric(system.gateways[0], 'chatbot_gateway_reply_timeouts_total') : 0;
  await rows?.close();
  await system?.stop();
  await llm?.close();
  expect(timeouts).toBe(0);
});

const send = (session: Session, messageId: string, message: string) => session.socket.send({ message_id: messageId, message });
const resend3 = (session: Session, messageId: string, message: string) => [1, 2, 3].forEach(() => send(session, messageId, message));

/** Nothing but the one answer, ever: checked after the reply timeout would have fired. */
async function expectAnsweredOnce(messageId: string, sessions: Session[]) {
  await pause(QUIET_MS);
  const finals = sessions.flatMap((s) => finalFrames(s.socket, messageId));
  expect(finals).toHaveLength(1);
  expect(finals.filter(isUnavailable)).toEqual([]);
  for (const s of sessions) expect(errorFrames(s.socket)).toEqual([]);
  expect(await rows.messages(messageId)).toBe(1);
}

test.concurrent('a message resent three times before and three times after its reply, on one v2 socket, is answered once', async () => {
  const session = await openV2(system);
  const id = randomUUID();
  send(session, id, SLOW);
  resend3(session, id, SLOW);
  const [reply] = await session.socket.waitFor((f) => f.type === 'reply' && f.message_id === id, 1, 20_000);
  expect(reply).toMatchObject({ seq: 1, message: '느린 답변입니다.' });
  resend3(session, id, SLOW);
  await expectAnsweredOnce(id, [session]);
  expect(session.socket.frames.filter((f) => (f as { type?: string }).type === 'accepted')).toHaveLength(7);
  await session.socket.close();
});

test.concurrent('the seed protocol gets one bot frame for a message sent four times and again after its answer', async () => {
  const session = await openV1(system);
  const id = randomUUID();
  send(session, id, '리볼빙이 뭐야?');
  resend3(session, id, '리볼빙이 뭐야?');
  await session.socket.waitFor((f) => f.sender === 'bot' && f.message_id === id, 1, 20_000);
  resend3(session, id, '리볼빙이 뭐야?');
  await expectAnsweredOnce(id, [session]);
  await session.socket.close();
});

test.concurrent('a resumed session that resends a message answered before it left gets no second answer', async () => {
  const first = await openV2(system);
  const id = randomUUID();
  send(first, id, '연회비');
  await first.socket.waitFor((f) => f.type === 'reply' && f.message_id === id, 1, 20_000);
  await first.socket.close();

  // It had the reply (last_seq 1) but resends anyway, three times: the broker drops each copy.
  const resumed = await openV2(system, { sessionId: first.sessionId, lastSeq: 1 });
  resend3(resumed, id, '연회비');
  await resumed.socket.waitFor((f) => f.type === 'stored' && f.message_id === id);
  await expectAnsweredOnce(id, [first, resumed]);
  await resumed.socket.close();

  // One that missed the reply (last_seq 0) gets it replayed, once, and its resends add nothing.
  const behind = await openV2(system, { sessionId: first.sessionId, lastSeq: 0 });
  resend3(behind, id, '연회비');
  await pause(QUIET_MS);
  expect(finalFrames(behind.socket, id).map((f) => f.seq)).toEqual([1]);
  expect(finalFrames(behind.socket).filter(isUnavailable)).toEqual([]);
  expect(errorFrames(behind.socket)).toEqual([]);
  await behind.socket.close();
});

test.concurrent('a resend after a resume, before the reply was committed, waits for the one reply', async () => {
  const first = await openV2(system);
  const id = randomUUID();
  send(first, id, SLOW);
  await first.socket.waitFor((f) => f.type === 'accepted' && f.message_id === id);
  await first.socket.close(); // gone before the answer

  const resumed = await openV2(system, { sessionId: first.sessionId, lastSeq: 0 });
  resend3(resumed, id, SLOW);
  const [reply] = await resumed.socket.waitFor((f) => f.type === 'reply' && f.message_id === id, 1, 20_000);
  expect(reply).toMatchObject({ seq: 1, message: '느린 답변입니다.' });
  await expectAnsweredOnce(id, [first, resumed]);
  await resumed.socket.close();
});

test.concurrent('a message id owned by another session is refused on every resend, on its socket and after a resume', async () => {
  const owner = await openV2(system);
  const id = randomUUID();
  send(owner, id, '캐시백');
  await owner.socket.waitFor((f) => f.type === 'reply' && f.message_id === id, 1, 20_000);

  const other = await openV2(system);
  send(other, id, '캐시백');
  await other.socket.waitFor((f) => f.type === 'error' && f.code === 'E4008');
  [1, 2].forEach(() => send(other, id, '캐시백'));
  await other.socket.waitFor((f) => f.type === 'error' && f.code === 'E4008', 3);
  await other.socket.close();
  const resumed = await openV2(system, { sessionId: other.sessionId, lastSeq: 0 });
  send(resumed, id, '캐시백'); // the broker drops it: chat-log is asked and says whose it is
  await resumed.socket.waitFor((f) => f.type === 'error' && f.code === 'E4008' && f.message_id === id);

  await pause(QUIET_MS);
  expect([...finalFrames(other.socket), ...finalFrames(resumed.socket)]).toEqual([]);
  expect(errorFrames(other.socket)).toHaveLength(3);
  expect(errorFrames(resumed.socket)).toHaveLength(1);
  expect(await rows.ofSessions([other.sessionId])).toBe(0);
  expect(finalFrames(owner.socket, id)).toHaveLength(1);
  await resumed.socket.close();
  await owner.socket.close();
});
