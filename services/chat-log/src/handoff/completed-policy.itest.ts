import { randomUUID } from 'node:crypto';
import { Harness, newMessageId, newSession, waitFor } from '../../test/harness';

// COMPLETED_MESSAGES=new_conversation: a completed conversation takes no new message.
let h: Harness;
const AGENT = randomUUID();

beforeAll(async () => {
  h = await Harness.start({ COMPLETED_MESSAGES: 'new_conversation' });
});
afterAll(async () => {
  await h?.stop();
});

test('a message on a completed conversation is refused with E4031 before it gets a turn; a takeover message follows its status frame', async () => {
  const sessionId = newSession();
  h.answerWhenStored([sessionId]);
  const first = newMessageId('first');
  await h.send(sessionId, first);
  await waitFor('the answer', () => h.frames(sessionId).some((f) => f.prompt_message_id === first));
  const taken = await h.bus.request('handoff', { session_id: sessionId, action: 'takeover', actor_id: AGENT, message: 'Hello, I am Kim.' }, { timeoutMs: 5_000 });
  expect(taken).toMatchObject({ outcome: 'changed', state: { status: 'agent' } });
  await waitFor('status and greeting', () => h.frames(sessionId).length === 3);
  expect(h.frames(sessionId).map((f) => [f.seq, f.sender ?? 'bot'])).toEqual([[1, 'bot'], [2, 'system'], [3, 'agent']]);
  await h.bus.request('handoff', { session_id: sessionId, action: 'complete', actor_id: AGENT }, { timeoutMs: 5_000 });
  const late = newMessageId('late');
  await h.send(sessionId, late);
  await waitFor('the refusal', () => h.of(sessionId).some((d) => d.type === 'rejected' && d.message_id === late && d.code === 'E4031'));
  expect(await h.db.message.count({ where: { messageId: late } })).toBe(0);
  expect(await h.db.session.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({ status: 'completed', nextTurn: 2 });
});
