import type { ChatReplyV1 } from '@chatbot/proto';
import { createDb, type Db } from '../store/database';
import { Harness, newMessageId, newSession, waitFor } from '../../test/harness';
import { storeMessages } from '../ingest/message.repository';
import { commitReplies } from './reply.repository';

// A reply commit and a store of the same session overlap: the commit locks the session first, so
// it sees the prompt committed or waits for the store.
let h: Harness;
let db: Db; // a pool of its own: the interleaving test holds several transactions open at once
const TEST_CONNECTIONS = 'chat-log-reply-race-test';

beforeAll(async () => {
  h = await Harness.start();
  const url = new URL(h.serviceEnv.DATABASE_URL);
  url.searchParams.set('application_name', TEST_CONNECTIONS);
  db = createDb(url.toString(), 6);
});
afterAll(async () => {
  await db?.$disconnect();
  await h?.stop();
});

const answer = (sessionId: string, promptMessageId: string): ChatReplyV1 => ({
  reply_id: `cache:${sessionId}:${promptMessageId}`,
  session_id: sessionId,
  kind: 'answer',
  prompt_message_id: promptMessageId,
  answer: { message: `answer to ${promptMessageId}`, login_required: false },
  source: 'qna-cache',
  produced_at: new Date().toISOString(),
});

const stranded = async () =>
  (await db.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM chat_log.replies WHERE seq IS NULL`)[0].n;

/** This file's connections waiting for a lock (a table lock, or a row another transaction holds). */
const lockWaits = async () =>
  (await db.$queryRaw<Array<{ n: number }>>`
    SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = ${TEST_CONNECTIONS} AND wait_event_type = 'Lock'`)[0].n;

/** A transaction holding a lock on chat_log.messages until released. */
function lockMessages(mode: 'SHARE' | 'ACCESS EXCLUSIVE') {
  let release!: () => void;
  let acquired!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held = new Promise<void>((resolve) => (acquired = resolve));
  const done = db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`LOCK TABLE chat_log.messages IN ${mode} MODE`);
      acquired();
      await gate;
    },
    { maxWait: 5_000, timeout: 30_000 },
  );
  return { held, release, done };
}

async function metric(name: string, label = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${h.service.ports.ops}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`chatbot_chatlog_${name}`) && l.includes(label));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

test('a reply whose prompt is stored between its commit locking the session and reading the prompt is released', async () => {
  const session = newSession();
  const prompt = newMessageId('race');
  // The store inserts the session row, then waits to insert its message.
  const share = lockMessages('SHARE');
  await share.held;
  const store = storeMessages(db, [
    { sessionId: session, messageId: prompt, userId: null, text: 'hi', clientTimestamp: null, receivedAt: new Date(), inboundSeq: 1 },
  ], 20, { keywords: [], onCompleted: 'reopen' });
  await waitFor('the store to wait', async () => (await lockWaits()) === 1);
  // Queued behind the store: whoever reads the messages next waits until the store committed.
  const exclusive = lockMessages('ACCESS EXCLUSIVE');
  await waitFor('the exclusive lock to queue', async () => (await lockWaits()) === 2);
  const commit = commitReplies(db, [answer(session, prompt)]);
  await waitFor('the commit to wait', async () => (await lockWaits()) === 3);

  share.release(); // the store commits while the reply's transaction is under way
  await store;
  await exclusive.held;
  exclusive.release();
  const result = await commit;
  await Promise.all([share.done, exclusive.done]);

  expect(result.verdicts).toEqual(['commit']);
  expect(result.released.map((r) => [r.promptMessageId, r.seq])).toEqual([[prompt, 1]]);
  expect(await db.session.findUniqueOrThrow({ where: { id: session } })).toMatchObject({ nextTurn: 2, releasedTurn: 1, lastSeq: 1 });
  expect(await stranded()).toBe(0);
});

// The documented rule for a candidate whose prompt is not stored (only a gateway's timeout
// failure can be one: answers are produced from chat.stored, after the store committed).
test('a candidate for a prompt not stored is acked and dropped at once, and the message stored later is answered as usual', async () => {
  const session = newSession();
  const prompt = newMessageId('unknown');
  const dropped = await metric('replies_dropped_total', 'reason="orphan"');
  await h.reply(session, prompt, { kind: 'failure', source: 'gateway', error_code: 'E5001', answer: { message: 'unavailable', login_required: false } });
  await waitFor('the candidate dropped', async () => (await metric('replies_dropped_total', 'reason="orphan"')) === dropped + 1);
  await h.settled(); // acked: nothing held, nothing handed back to the broker
  expect(await db.reply.count({ where: { sessionId: session } })).toBe(0);

  await h.send(session, prompt);
  await waitFor('the message stored', () => h.count(session, 'stored', prompt) === 1);
  await h.reply(session, prompt, { answer: { message: 'the real answer', login_required: false } });
  await waitFor('the frame', () => h.frames(session).length === 1);
  expect(h.frames(session)[0]).toMatchObject({ seq: 1, message_id: prompt, answer: { message: 'the real answer' } });
  expect(await stranded()).toBe(0);
});
