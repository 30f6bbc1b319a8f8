import { Harness, newMessageId, newSession, waitFor } from '../../test/harness';

// A session's frames must reach the gateway in seq order: a frame arriving with earlier seqs
// missing would make the gateway fetch them first. The outbox period is long here, so only the
// start-up drain can deliver a stranded frame within a test's wait.
let h: Harness;

beforeAll(async () => {
  h = await Harness.start({ OUTBOX_INTERVAL_MS: '60000' });
});
afterAll(async () => {
  await h?.stop();
});

/** Stores the messages and has each answered; resolves once their frames are published and marked. */
async function answered(sessionId: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newMessageId());
  for (const id of ids) await h.send(sessionId, id);
  await waitFor('stored', () => ids.every((id) => h.count(sessionId, 'stored', id) > 0));
  for (const id of ids) await h.reply(sessionId, id);
  await waitFor('frames', () => h.frames(sessionId).length === count);
  await waitFor('marked published', async () => (await h.db.outboxFrame.count({ where: { sessionId } })) === 0);
  return ids;
}

/** What a crash (or failed publish) between commit and publish leaves: released, never published. */
async function strand(sessionId: string, seqs: number[]): Promise<void> {
  await h.db.reply.updateMany({ where: { sessionId, seq: { in: seqs } }, data: { releasedAt: new Date() } });
  await h.db.outboxFrame.createMany({ data: seqs.map((seq) => ({ sessionId, seq })) });
}

const seqsSince = (sessionId: string, from: number) => h.frames(sessionId).slice(from).map((f) => f.seq);

test('frames a killed chat-log released but never published reach the gateway before newer ones after the restart', async () => {
  const [session, quiet] = [newSession(), newSession()];
  const [, , m3, m4] = await answered(session, 4);
  await answered(quiet, 2);
  h.service.process.kill('SIGKILL');
  await waitFor('the process to exit', () => h.service.process.pid === undefined);
  await strand(session, [3, 4]);
  await strand(quiet, [2]);
  const m5 = newMessageId();
  await h.send(session, m5);
  await h.reply(session, m5); // committed on the restart and published live as seq 5
  const [before, quietBefore] = [h.frames(session).length, h.frames(quiet).length];
  await h.startService();

  await waitFor('seq 5', () => seqsSince(session, before).includes(5));
  expect(h.frames(session).slice(before).map((f) => [f.seq, f.prompt_message_id])).toEqual([[3, m3], [4, m4], [5, m5]]);
  // a session with no new commit gets its stranded frame at start-up, not an outbox period later
  await waitFor('the quiet session', () => seqsSince(quiet, quietBefore).length === 1);
  expect(seqsSince(quiet, quietBefore)).toEqual([2]);
  await waitFor('every release marked published', async () => (await h.db.outboxFrame.count()) === 0);
});
