import { randomUUID } from 'node:crypto';
import { Harness, newMessageId, waitFor } from '../../test/harness';

let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h?.stop();
});

const create = (userId: string, title?: string) => h.bus.request('conversationCreate', { user_id: userId, ...(title ? { title } : {}) });
const history = (userId: string, sessionId: string, limit = 50, offset = 0) =>
  h.bus.request('conversationHistory', { user_id: userId, session_id: sessionId, limit, offset });

/** What is left of a session in every table that holds something of it. */
async function leftOf(sessionId: string) {
  const [row] = await h.db.$queryRawUnsafe<Array<Record<string, number>>>(
    `SELECT (SELECT count(*) FROM chat_log.messages WHERE session_id = $1::uuid)::int AS messages,
            (SELECT count(*) FROM chat_log.replies WHERE session_id = $1::uuid)::int AS replies,
            (SELECT count(*) FROM chat_log.replies WHERE session_id = $1::uuid AND is_helpful IS NOT NULL)::int AS feedback,
            (SELECT count(*) FROM chat_log.outbox WHERE session_id = $1::uuid)::int AS outbox,
            (SELECT count(*) FROM chat_log.waiting_sessions WHERE session_id = $1::uuid)::int AS waiting`,
    sessionId,
  );
  return row;
}

/** Rows of the session in every table of the schema that has a `session_id` column, by table. */
async function rowsAnywhere(sessionId: string): Promise<Record<string, number>> {
  const tables = await h.db.$queryRawUnsafe<Array<{ table_name: string }>>(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'chat_log' AND column_name = 'session_id' ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name: table } of tables) {
    const [{ n }] = await h.db.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM chat_log."${table}" WHERE session_id = $1::uuid`, sessionId);
    counts[table] = n;
  }
  return counts;
}

/** A user message of the owner, stored, and answered with this reply (or left waiting). */
async function exchange(userId: string, sessionId: string, text: string, answer?: Parameters<Harness['reply']>[2]): Promise<string> {
  const id = newMessageId();
  await h.sendAs(userId, sessionId, id, text);
  await waitFor('stored', () => h.count(sessionId, 'stored', id) === 1);
  if (answer) {
    const before = h.frames(sessionId).length;
    await h.reply(sessionId, id, answer);
    await waitFor('the reply released', () => h.frames(sessionId).length === before + 1);
  }
  return id;
}

describe('conversations of an account', () => {
  test('creates, reads, renames and lists, newest first with the total; the first message stands in for a missing title', async () => {
    const alice = randomUUID();
    const titled = await create(alice, '  카드 연회비  ');
    expect(titled).toMatchObject({ title: '카드 연회비' });
    expect(titled.created_at).toBe(titled.updated_at);
    const untitled = await create(alice);
    expect(untitled.title).toBeNull();
    await exchange(alice, untitled.session_id, 'What is the annual fee of the card I got last year and can it be waived?');
    const [first, second] = [titled, untitled].map((c) => c.session_id);
    const read = await h.bus.request('conversationGet', { user_id: alice, session_id: second });
    expect(read.title).toBe('What is the annual fee of the card I got last year…');
    expect(Date.parse(read.updated_at)).toBeGreaterThan(Date.parse(untitled.updated_at));

    const page1 = await h.bus.request('conversationList', { user_id: alice, limit: 1, offset: 0 });
    expect(page1).toEqual({ sessions: [read], total_sessions: 2 });
    const renamed = await h.bus.request('conversationRename', { user_id: alice, session_id: first, title: '새 제목' });
    expect(renamed.title).toBe('새 제목');
    const all = await h.bus.request('conversationList', { user_id: alice, limit: 10, offset: 0 });
    expect(all.sessions.map((c) => c.session_id)).toEqual([first, second]);
    expect(await h.bus.request('conversationList', { user_id: alice, limit: 10, offset: 2 })).toEqual({ sessions: [], total_sessions: 2 });
    expect(await h.bus.request('sessionAccess', { session_id: first, user_id: alice })).toEqual({ access: 'owner' });
  });

  test('another account, an unknown id and a deleted one are all E4005 on every operation', async () => {
    const [alice, mallory] = [randomUUID(), randomUUID()];
    const { session_id } = await create(alice, 'private');
    await exchange(alice, session_id, 'secret');
    const gone = (await create(alice)).session_id;
    await h.bus.request('conversationDelete', { user_id: alice, session_id: gone });
    for (const [userId, sessionId] of [[mallory, session_id], [alice, randomUUID()], [alice, gone]]) {
      const ids = { user_id: userId, session_id: sessionId };
      await expect(h.bus.request('conversationGet', ids)).rejects.toMatchObject({ code: 'E4005' });
      await expect(h.bus.request('conversationRename', { ...ids, title: 'mine now' })).rejects.toMatchObject({ code: 'E4005' });
      await expect(h.bus.request('conversationHistory', { ...ids, limit: 10, offset: 0 })).rejects.toMatchObject({ code: 'E4005' });
      await expect(h.bus.request('conversationDelete', ids)).rejects.toMatchObject({ code: 'E4005' });
    }
    expect(await h.bus.request('conversationList', { user_id: mallory, limit: 10, offset: 0 })).toEqual({ sessions: [], total_sessions: 0 });
    expect(await h.bus.request('conversationGet', { user_id: alice, session_id })).toMatchObject({ title: 'private' });
    expect(await leftOf(session_id)).toMatchObject({ messages: 1 });
  });
});

describe('history', () => {
  test('pages from the newest entry, oldest first within a page, with the tool metadata and feedback of replies', async () => {
    const alice = randomUUID();
    const { session_id: session } = await create(alice);
    const m1 = await exchange(alice, session, '연회비?', {
      answer: { message: '연회비는 만원입니다', login_required: false, card_list: ['카드의정석2'], related_questions: ['혜택은?'], tool_name: 'get_card_description' },
    });
    await h.bus.request('feedback', { message_id: m1, is_helpful: true, user_id: alice });
    const m2 = await exchange(alice, session, '혜택은?', { answer: { message: '로그인해 주세요', login_required: true } });
    const m3 = await exchange(alice, session, '아직 답이 없는 질문');

    const latest = await history(alice, session, 3, 0);
    expect(latest).toMatchObject({ total_messages: 5, has_more: true });
    expect(latest.messages.map((m) => [m.role, m.message_id])).toEqual([['user', m2], ['assistant', m2], ['user', m3]]);
    expect(latest.messages[1]).toMatchObject({ content: '로그인해 주세요', login_required: true, feedback: null });
    expect(latest.messages[2]).not.toHaveProperty('login_required');

    const older = await history(alice, session, 3, 3);
    expect(older).toMatchObject({ total_messages: 5, has_more: false });
    expect(older.messages).toEqual([
      { message_id: m1, role: 'user', content: '연회비?', created_at: expect.any(String) },
      {
        message_id: m1, role: 'assistant', content: '연회비는 만원입니다', created_at: expect.any(String), login_required: false,
        card_list: ['카드의정석2'], related_questions: ['혜택은?'], tool_name: 'get_card_description', feedback: true,
      },
    ]);
  });
});

describe('delete', () => {
  test('erases messages, replies, feedback, queued frames, the waiting mark and what the broker kept; the id stays refused', async () => {
    const alice = randomUUID();
    const { session_id: session } = await create(alice);
    const m1 = await exchange(alice, session, 'first', { answer: { message: 'answer', login_required: false } });
    await h.bus.request('feedback', { message_id: m1, is_helpful: false, user_id: alice });
    await exchange(alice, session, 'left waiting');
    // A frame whose publish failed stays queued until the outbox publishes it again.
    await h.db.$executeRawUnsafe(`INSERT INTO chat_log.outbox (session_id, seq) VALUES ($1::uuid, 99)`, session);
    const summary = { session_id: session, trigger: 'waiting' as const, version: 1, issue: 'first', tried: 'answer', open: 'left waiting', category: 'general', source: 'extractive' as const };
    expect(await h.bus.request('summarySave', summary)).toEqual({ stored: true });
    expect(await leftOf(session)).toEqual({ messages: 2, replies: 1, feedback: 1, outbox: 1, waiting: 1 });
    expect(await h.inboundInBroker(session)).toBe(2);

    expect(await h.bus.request('conversationDelete', { user_id: alice, session_id: session })).toEqual({ session_id: session, deleted: true });
    expect(await leftOf(session)).toEqual({ messages: 0, replies: 0, feedback: 0, outbox: 0, waiting: 0 });
    // The agents' consoles are told, and the broker keeps nothing else of the session for them.
    const told = await waitFor('session_removed', async () => {
      const kept = await h.keptInBroker<{ type: string }>('AGENT_EVENTS', session);
      return kept.length > 0 ? kept : undefined;
    });
    expect(told).toEqual([{ payload: expect.objectContaining({ type: 'session_removed', session_id: session }), msgId: `${session}:agent:removed` }]);
    await waitFor('the agent outbox emptied', async () => (await h.db.agentOutbox.count({ where: { sessionId: session } })) === 0);
    // Whatever table a later migration adds with a session_id column, nothing of the session is left in it.
    const anywhere = await rowsAnywhere(session);
    expect(Object.keys(anywhere)).toEqual(expect.arrayContaining(['agent_outbox', 'messages', 'outbox', 'replies', 'summaries', 'waiting_sessions']));
    expect(anywhere).toEqual(Object.fromEntries(Object.keys(anywhere).map((table) => [table, 0])));
    expect(await h.inboundInBroker(session)).toBe(0); // what the user sent is gone from the broker too
    // A summary job still in flight finds the conversation gone, and agents find nothing to read.
    await expect(h.bus.request('summarySave', { ...summary, trigger: 'completed', version: 2 })).rejects.toMatchObject({ code: 'E4005' });
    await expect(h.bus.request('summaryGet', { session_id: session })).rejects.toMatchObject({ code: 'E4005' });
    const [tombstone] = await h.db.$queryRawUnsafe<Array<{ title: string | null; deleted: boolean }>>(
      `SELECT title, deleted_at IS NOT NULL AS deleted FROM chat_log.sessions WHERE id = $1::uuid`, session,
    );
    expect(tombstone).toEqual({ title: null, deleted: true });
    expect(await h.bus.request('conversationList', { user_id: alice, limit: 10, offset: 0 })).toEqual({ sessions: [], total_sessions: 0 });
    expect(await h.bus.request('sessionAccess', { session_id: session, user_id: alice })).toEqual({ access: 'other' });
  });

  test('what was in flight when it was deleted does not bring it back: a late message is refused, late replies are dropped', async () => {
    const alice = randomUUID();
    const { session_id: session } = await create(alice);
    const asked = await exchange(alice, session, 'asked before the delete');
    await h.bus.request('conversationDelete', { user_id: alice, session_id: session });
    const late = newMessageId();
    await h.sendAs(alice, session, late, 'sent before the delete, stored after');
    await waitFor('refused', () => h.count(session, 'rejected', late) === 1);
    const framesBefore = h.frames(session).length;
    await h.reply(session, asked); // the answer to a prompt the delete erased
    await h.reply(session, null); // a push
    await h.settled();
    expect(h.frames(session)).toHaveLength(framesBefore);
    expect(await leftOf(session)).toEqual({ messages: 0, replies: 0, feedback: 0, outbox: 0, waiting: 0 });
  });
});
