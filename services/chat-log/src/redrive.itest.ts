import { BrokerAdmin } from '@chatbot/testkit';
import { Harness, newMessageId, newSession, waitFor } from './harness.itest-support';

/**
 * chat-log against real NATS and Postgres, with no qna-cache or worker running: a stored turn that
 * gets no reply stands for one whose job the broker lost, and must be published again.
 */
let h: Harness;

beforeAll(async () => {
  h = await Harness.start({ REDRIVE_AFTER_MS: '400' });
});
afterAll(async () => {
  await h?.stop();
});

/** Every CHAT_INBOUND message of a session, with its dedupe id, in stream order. */
async function inboundOf(sessionId: string): Promise<Array<{ messageId: string; msgId: string }>> {
  const subject = `chat.inbound.v1.${sessionId}`;
  const found: Array<{ messageId: string; msgId: string }> = [];
  const admin = await BrokerAdmin.open(h.env);
  try {
    const { firstSeq, lastSeq } = await admin.streamState('CHAT_INBOUND');
    for (let seq = firstSeq; seq <= lastSeq; seq++) {
      const message = await admin.stored('CHAT_INBOUND', seq);
      if (message?.subject !== subject) continue;
      found.push({ messageId: message.json<{ message_id: string }>().message_id, msgId: message.header('Nats-Msg-Id') ?? '' });
    }
  } finally {
    await admin.close();
  }
  return found;
}

test('a stored turn with no reply is published again, at most three times, and an answered one never', async () => {
  const session = newSession();
  const [lost, answered] = [newMessageId('lost'), newMessageId('ok')];
  await h.send(session, lost);
  await h.send(session, answered);
  await h.reply(session, answered); // committed, waiting for the turn before it

  const redriven = await waitFor('three re-drives', async () => {
    const all = (await inboundOf(session)).filter((m) => m.msgId.includes(':redrive:'));
    return all.length >= 3 ? all : null;
  });
  expect(redriven.map((m) => m.messageId)).toEqual([lost, lost, lost]);
  expect(redriven.map((m) => m.msgId)).toEqual([1, 2, 3].map((n) => `${session}:${lost}:redrive:${n}`));
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // time for a fourth, which must not come
  expect((await inboundOf(session)).filter((m) => m.msgId.includes(':redrive:'))).toHaveLength(3);

  // The re-driven copies were stored once: still two messages, and the answer is released after the reply.
  expect(await h.db.message.count({ where: { sessionId: session } })).toBe(2);
  await h.reply(session, lost);
  await waitFor('both frames', () => h.frames(session).length === 2);
  expect(h.frames(session).map((f) => f.message_id)).toEqual([lost, answered]);
});
