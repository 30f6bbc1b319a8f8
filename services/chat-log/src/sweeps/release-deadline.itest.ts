import { randomUUID } from 'node:crypto';
import { UNAVAILABLE_MESSAGE } from '@chatbot/proto';
import { Harness, newMessageId, newSession, waitFor } from '../../test/harness';

let h: Harness;

beforeAll(async () => {
  h = await Harness.start({ RELEASE_DEADLINE_MS: '1000', DEADLINE_SWEEP_MS: '200' });
});
afterAll(async () => {
  await h?.stop();
});

test('a turn left unanswered past the deadline gets a failure reply and unblocks the session', async () => {
  const session = newSession();
  const [lost, answered] = [newMessageId('lost'), newMessageId('ok')];
  await h.send(session, lost);
  await h.send(session, answered);
  await h.reply(session, answered);
  await waitFor('both frames', () => h.frames(session).length === 2);

  expect(h.frames(session).map((f) => [f.seq, f.message_id])).toEqual([[1, lost], [2, answered]]);
  expect(h.frames(session)[0].answer).toEqual({ message: UNAVAILABLE_MESSAGE, login_required: false });
  expect(await h.db.reply.findUniqueOrThrow({ where: { promptMessageId: lost } })).toMatchObject({
    kind: 'failure',
    source: 'chat-log',
    errorCode: 'E5001',
    turn: 1,
  });

  // the real answer arriving late is dropped: the user already saw the failure
  await h.reply(session, lost);
  await h.settled();
  expect(await h.db.reply.count({ where: { sessionId: session } })).toBe(2);
  expect(h.frames(session)).toHaveLength(2);
});

test('a reply left committed but unreleased by an earlier fault goes out at the deadline, not a failure', async () => {
  const session = newSession();
  const prompt = newMessageId('stranded');
  await h.send(session, prompt);
  await waitFor('stored', () => h.count(session, 'stored', prompt) === 1);
  // what a commit that raced the session's first store left behind before the fix
  await h.db.reply.create({
    data: {
      id: randomUUID(),
      sessionId: session,
      kind: 'answer',
      promptMessageId: prompt,
      turn: 1,
      replyId: `cache:${session}:${prompt}`,
      frameMessageId: prompt,
      message: 'the real answer',
      source: 'qna-cache',
    },
  });
  await waitFor('the frame', () => h.frames(session).length === 1);
  expect(h.frames(session)[0]).toMatchObject({ seq: 1, message_id: prompt, answer: { message: 'the real answer' } });
  expect(await h.db.reply.findMany({ where: { sessionId: session } })).toMatchObject([{ replyId: `cache:${session}:${prompt}`, seq: 1 }]);
  expect(await h.db.session.findUniqueOrThrow({ where: { id: session } })).toMatchObject({ releasedTurn: 1, lastSeq: 1 });
});
