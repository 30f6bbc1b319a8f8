import { createLogger, createMetricsRegistry } from '@chatbot/runtime';
import { createChatLogMetrics } from './chat-log.metrics';
import { createFramePublisher } from './frame.publisher';
import { Harness, newMessageId, newSession, waitFor } from './harness.itest-support';
import { createPublishedMarker } from './published.marker';
import { releasedAfter } from './session-query.repository';

// A session's frames must reach the gateway in seq order: a frame arriving with earlier seqs
// missing makes a v2 client drop its socket and resume. The outbox period is long here, so only
// the ordering mechanisms can deliver a stranded frame within a test's wait.
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
  await waitFor('marked published', async () => (await h.db.reply.count({ where: { sessionId, publishedAt: null } })) === 0);
  return ids;
}

/** What a crash (or failed publish) between commit and publish leaves: released, never published. */
async function strand(sessionId: string, seqs: number[]): Promise<void> {
  await h.db.reply.updateMany({ where: { sessionId, seq: { in: seqs } }, data: { publishedAt: null, releasedAt: new Date() } });
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
  await waitFor('every release marked published', async () => (await h.db.reply.count({ where: { publishedAt: null } })) === 0);
});

test("a suspect session's next publish sends its earlier unpublished frames first, in seq order", async () => {
  const session = newSession();
  await answered(session, 3);
  await strand(session, [1, 2]); // as a commit whose outcome was lost, or a failed publish, leaves them
  const logger = createLogger('chat-log-test', 'silent');
  const metrics = createChatLogMetrics(createMetricsRegistry('chat-log-test'));
  const marker = createPublishedMarker(h.db, metrics, logger);
  const publisher = createFramePublisher({ bus: h.bus, db: h.db, marker, metrics, logger });
  const third = await releasedAfter(h.db, session, 2, 1);
  const before = h.frames(session).length;

  publisher.suspect([session]);
  await publisher.publish(third, 'live');
  await waitFor('three frames', () => seqsSince(session, before).length === 3);
  expect(seqsSince(session, before)).toEqual([1, 2, 3]);
  await marker.flush();
  expect(await h.db.reply.count({ where: { sessionId: session, publishedAt: null } })).toBe(0);

  // no longer suspect: the next publish is the frame alone, no lookup
  await strand(session, [1]);
  await publisher.publish(third, 'live');
  await waitFor('one more frame', () => seqsSince(session, before).length === 4);
  expect(seqsSince(session, before)).toEqual([1, 2, 3, 3]);
});
