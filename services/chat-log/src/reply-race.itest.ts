import { consumers, type ChatReplyV1 } from '@chatbot/proto';
import { createDb, type Db } from './database';
import { Harness, newMessageId, newSession, waitFor } from './harness.itest-support';
import { storeMessages } from './message.repository';
import { commitReplies } from './reply.repository';

// A cache answer reaches chat-log before (or while) its prompt is stored. These tests check that
// such a reply is always released, and released from memory once the prompt is stored.
let h: Harness;
let db: Db; // a pool of its own: the interleaving test holds several transactions open at once
const TEST_CONNECTIONS = 'chat-log-reply-race-test';

beforeAll(async () => {
  // a long hold: a held candidate is only ever handed back by the shutdown, not by a timer
  h = await Harness.start({ CONSUMER_ACK_WAIT_MS: '60000', REPLY_HOLD_MS: '15000' });
  const url = new URL(h.serviceEnv.DATABASE_URL);
  url.searchParams.set('application_name', TEST_CONNECTIONS);
  db = createDb(url.toString(), 6);
});
afterAll(async () => {
  await db?.$disconnect();
  await h?.stop();
});

const answer = (sessionId: string, promptId: string): ChatReplyV1 => ({
  reply_id: `cache:${sessionId}:${promptId}`,
  session_id: sessionId,
  kind: 'answer',
  prompt_message_id: promptId,
  answer: { message: `answer to ${promptId}`, login_required: false },
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

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${h.service.ports.ops}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`chatbot_chatlog_${name}`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/**
 * The candidate's first commit found no prompt (it created the session row, empty) and the reply
 * consumer holds it unacked: it is held in memory.
 */
async function isHeld(sessionId: string): Promise<boolean> {
  const { stream, durable } = consumers.chatLogReplies;
  const info = await h.bus.jsm.consumers.info(h.bus.ns.stream(stream), durable);
  const session = await db.session.findUnique({ where: { id: sessionId } });
  return info.num_pending === 0 && info.num_ack_pending === 1 && session?.nextTurn === 1;
}

test('a reply whose prompt is stored between its commit locking the session and reading the prompt is released', async () => {
  const session = newSession();
  const prompt = newMessageId('race');
  // The store inserts the session row, then waits to insert its message.
  const share = lockMessages('SHARE');
  await share.held;
  const store = storeMessages(db, [
    { sessionId: session, messageId: prompt, text: 'hi', clientTimestamp: null, receivedAt: new Date(), inboundSeq: 1 },
  ], 20);
  await waitFor('the store to wait', async () => (await lockWaits()) === 1);
  // Queued behind the store: whoever reads the messages next waits until the store committed.
  const exclusive = lockMessages('ACCESS EXCLUSIVE');
  await waitFor('the exclusive lock to queue', async () => (await lockWaits()) === 2);
  const commit = commitReplies(db, [answer(session, prompt)], 60_000);
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

test('holds a candidate that arrives before its prompt and commits it once the prompt is stored, with no broker retry', async () => {
  const session = newSession();
  const prompt = newMessageId('early');
  const [held, deferred] = [await metric('replies_held_total'), await metric('replies_deferred_total')];
  await h.reply(session, prompt, { answer: { message: 'fast cache answer', login_required: false } });
  await waitFor('the candidate to be held', () => isHeld(session));
  await h.send(session, prompt);
  await waitFor('the frame', () => h.frames(session).length === 1);
  expect(h.frames(session)[0]).toMatchObject({ seq: 1, message_id: prompt, answer: { message: 'fast cache answer' } });
  expect(await metric('replies_held_total')).toBe(held + 1);
  expect(await metric('replies_deferred_total')).toBe(deferred);
  await h.settled();
});

test('a candidate held when chat-log stops goes back to the broker and is committed by the next process', async () => {
  const session = newSession();
  const prompt = newMessageId('held-at-stop');
  await h.reply(session, prompt);
  await waitFor('the candidate to be held', () => isHeld(session));
  await h.service.process.stop();
  await h.startService();
  await h.send(session, prompt);
  await waitFor('the frame', () => h.frames(session).length === 1);
  expect(h.frames(session)[0]).toMatchObject({ seq: 1, message_id: prompt });
  await h.settled();
});

test('every session whose first message and its cache answer arrive together gets its frame', async () => {
  const sessions: Array<[string, string]> = [];
  // Each round is about one inbound and one reply transaction; the answers follow the messages
  // by 0 to 15 ms, so the two transactions overlap in every way over the rounds.
  for (let round = 0; round < 96; round++) {
    const pairs = Array.from({ length: 6 }, (): [string, string] => [newSession(), newMessageId('first')]);
    const sent = Promise.all(pairs.map(([session, prompt]) => h.send(session, prompt)));
    await new Promise((resolve) => setTimeout(resolve, round % 16));
    await Promise.all([sent, ...pairs.map(([session, prompt]) => h.bus.publish('chatReply', session, answer(session, prompt)))]);
    sessions.push(...pairs);
  }
  await h.settled();
  expect(await stranded()).toBe(0);
  for (const [session, prompt] of sessions) {
    await waitFor(`the frame of ${session}`, () => h.frames(session).length === 1);
    expect(h.frames(session).map((f) => [f.seq, f.message_id])).toEqual([[1, prompt]]);
  }
});
