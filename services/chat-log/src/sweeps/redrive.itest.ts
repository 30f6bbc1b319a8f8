import { Harness, newMessageId, newSession, waitFor } from '../../test/harness';

/**
 * chat-log against real NATS and Postgres, with no qna-cache or worker running: a stored turn that
 * gets no reply stands for one whose chat.stored event, job or candidate was lost, and must be
 * published again.
 */
let h: Harness;

beforeAll(async () => {
  h = await Harness.start({ REDRIVE_AFTER_MS: '400' });
});
afterAll(async () => {
  await h?.stop();
});

test('a stored turn with no reply has its chat.stored published again, at most three times, and an answered one never', async () => {
  const session = newSession();
  const [lost, answered] = [newMessageId('lost'), newMessageId('ok')];
  await h.send(session, lost);
  await h.send(session, answered);
  // a candidate for a message not stored yet is dropped: answer once both are stored
  await waitFor('both stored', () => h.storedOf(session).length >= 2);
  await h.reply(session, answered); // committed, waiting for the turn before it

  const redriven = await waitFor('three re-drives', async () => {
    const all = (await h.storedInBroker(session)).filter((m) => m.msgId.includes(':redrive:'));
    return all.length >= 3 ? all : null;
  });
  expect(redriven.map((m) => [m.messageId, m.turn])).toEqual([[lost, 1], [lost, 1], [lost, 1]]);
  expect(redriven.map((m) => m.msgId)).toEqual([1, 2, 3].map((n) => `${session}:${lost}:redrive:${n}`));
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // time for a fourth, which must not come
  expect((await h.storedInBroker(session)).filter((m) => m.msgId.includes(':redrive:'))).toHaveLength(3);

  // Nothing was stored again: still two messages, and the answer is released after the reply.
  expect(await h.db.message.count({ where: { sessionId: session } })).toBe(2);
  await h.reply(session, lost);
  await waitFor('both frames', () => h.frames(session).length === 2);
  expect(h.frames(session).map((f) => f.message_id)).toEqual([lost, answered]);
});

test('a message with its own system prompt keeps it: in its chat.stored event and in every re-drive', async () => {
  const session = newSession();
  const id = newMessageId('prompted');
  await h.send(session, id, 'how are you', 2, { system_prompt: 'You are a counsellor.' });
  const events = await waitFor('stored and re-driven', () => (h.storedOf(session).length >= 2 ? h.storedOf(session) : null));
  expect(events.map((e) => [e.message_id, e.system_prompt])).toEqual([[id, 'You are a counsellor.'], [id, 'You are a counsellor.']]);
  expect((await h.db.message.findUnique({ where: { messageId: id } }))?.systemPrompt).toBe('You are a counsellor.');
  await h.reply(session, id);
});
