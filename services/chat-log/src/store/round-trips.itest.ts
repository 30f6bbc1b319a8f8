import type { ChatReplyV1 } from '@chatbot/proto';
import { createDb, type Db } from './database';
import { Harness, newMessageId, newSession } from '../../test/harness';
import { storeMessages } from '../ingest/message.repository';
import { commitReplies } from '../commit/reply.repository';

// A quiet message's time is mostly Postgres round trips, each a wake-up of both processes
// (docs/benchmarks.md, finding 23): this counts them for the two transactions of one message.
let h: Harness;
let db: Db;
let roundTrips = 0;
type Counted = { counted?: boolean; query: (...args: unknown[]) => unknown };

beforeAll(async () => {
  h = await Harness.start();
  db = createDb(h.serviceEnv.DATABASE_URL, 2);
  // Counts what the connections transactions check out send: one query call is one round trip.
  // (pg's own pool.query checks out with a callback: left alone.)
  const pool = db.pool as unknown as { connect: (...args: unknown[]) => Promise<Counted> | undefined };
  const connect = pool.connect.bind(pool);
  pool.connect = (...args: unknown[]) => {
    if (args.length > 0) return connect(...args);
    return (connect() as Promise<Counted>).then((client) => {
      if (!client.counted) {
        const query = client.query.bind(client);
        Object.assign(client, { counted: true, query: (...q: unknown[]) => (roundTrips++, query(...q)) });
      }
      return client;
    });
  };
});
afterAll(async () => {
  await db?.$disconnect();
  await h?.stop();
});

const rules = { keywords: [], onCompleted: 'reopen' as const };
const message = (sessionId: string, messageId: string) => ({
  sessionId, messageId, userId: null, text: 'opening hours?', clientTimestamp: null, receivedAt: new Date(), inboundSeq: 1, systemPrompt: null,
});
const answer = (sessionId: string, promptMessageId: string): ChatReplyV1 => ({
  reply_id: `cache:${sessionId}:${promptMessageId}`, session_id: sessionId, kind: 'answer', prompt_message_id: promptMessageId,
  answer: { message: 'nine to five', login_required: false }, source: 'qna-cache', produced_at: new Date().toISOString(),
});

async function counted<T>(work: () => Promise<T>): Promise<{ result: T; roundTrips: number }> {
  roundTrips = 0;
  const result = await work();
  return { result, roundTrips };
}

test('a message of a known session is stored, answered and released in two round trips per transaction', async () => {
  const session = newSession();
  const first = newMessageId('first');
  // The session's first message creates its row, in the same round trip.
  expect((await counted(() => storeMessages(db, [message(session, first)], 0, rules))).roundTrips).toBe(2);
  await commitReplies(db, [answer(session, first)]);

  const prompt = newMessageId('quiet');
  const store = await counted(() => storeMessages(db, [message(session, prompt)], 0, rules));
  const commit = await counted(() => commitReplies(db, [answer(session, prompt)]));

  expect(store.result.plan.routed.map((m) => [m.messageId, m.turn])).toEqual([[prompt, 2]]);
  expect(commit.result.verdicts).toEqual(['commit']);
  expect(commit.result.released.map((r) => [r.promptMessageId, r.seq])).toEqual([[prompt, 2]]);
  expect(await db.outboxFrame.count({ where: { sessionId: session } })).toBe(2);
  expect([store.roundTrips, commit.roundTrips]).toEqual([2, 2]);
});

test('a session row this process saw and no longer finds is created again, at the cost of one round trip', async () => {
  const session = newSession();
  await storeMessages(db, [message(session, newMessageId('before'))], 0, rules);
  await db.$executeRaw`TRUNCATE chat_log.sessions CASCADE`;

  const prompt = newMessageId('after');
  const store = await counted(() => storeMessages(db, [message(session, prompt)], 0, rules));
  expect(store.result.plan.routed.map((m) => [m.messageId, m.turn])).toEqual([[prompt, 1]]);
  expect(store.roundTrips).toBe(3);
  const commit = await commitReplies(db, [answer(session, prompt)]);
  expect(commit.released.map((r) => [r.promptMessageId, r.seq])).toEqual([[prompt, 1]]);
});
