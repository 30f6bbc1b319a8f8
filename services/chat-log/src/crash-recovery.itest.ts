import { Harness, newMessageId, newSession, waitFor } from '../test/harness';

let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h?.stop();
});

const sessions = [newSession(), newSession(), newSession()];
const sent = new Map<string, string[]>(sessions.map((s) => [s, []]));

/** One round: every session sends a message; its answer comes once chat-log published it stored. */
async function round(tag: string): Promise<void> {
  for (const session of sessions) {
    const id = newMessageId(tag);
    sent.get(session)!.push(id);
    await h.send(session, id);
  }
}

const storedCount = () => sessions.reduce((n, s) => n + h.count(s, 'stored'), 0);

test('a chat-log killed with SIGKILL mid-traffic and started again loses nothing and duplicates nothing', async () => {
  h.answerWhenStored(sessions);
  for (let i = 0; i < 10; i++) await round('before');
  await waitFor('some messages stored', () => storedCount() >= 6);
  h.service.process.kill('SIGKILL');
  for (let i = 0; i < 5; i++) await round('while-down');
  await h.startService();
  for (let i = 0; i < 5; i++) await round('after');

  const total = 20;
  for (const session of sessions) {
    await waitFor(`all frames of ${session}`, () => new Set(h.frames(session).map((f) => f.seq)).size === total, 25_000);
  }
  await h.settled();
  for (const session of sessions) {
    const messages = await h.db.message.findMany({ where: { sessionId: session }, orderBy: { turn: 'asc' } });
    expect(messages.map((m) => m.messageId).sort()).toEqual([...sent.get(session)!].sort());
    expect(messages.map((m) => m.turn)).toEqual(range(total));

    const replies = await h.db.reply.findMany({ where: { sessionId: session }, orderBy: { seq: 'asc' } });
    expect(replies.map((r) => r.seq)).toEqual(range(total));
    // released in turn order: seq k answers the message of turn k
    expect(replies.map((r) => r.promptMessageId)).toEqual(messages.map((m) => m.messageId));

    // the gateway may see a seq twice (outbox after a crash), never two different frames for one seq
    const bySeq = new Map<number, string>();
    for (const frame of h.frames(session)) {
      expect(bySeq.get(frame.seq) ?? frame.message_id).toBe(frame.message_id);
      bySeq.set(frame.seq, frame.message_id);
    }
    expect(range(total).map((seq) => bySeq.get(seq))).toEqual(messages.map((m) => m.messageId));
  }
  await waitFor('every release published', async () => (await h.db.outboxFrame.count()) === 0);
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
