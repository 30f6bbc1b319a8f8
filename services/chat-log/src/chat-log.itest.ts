import { Harness, newMessageId, newSession, waitFor } from '../test/harness';

let h: Harness;

beforeAll(async () => {
  h = await Harness.start({ REPLAY_LIMIT: '3', HISTORY_TURNS: '10' }); // events carry their history here
});
afterAll(async () => {
  await h?.stop();
});

/** Sends messages one after another and waits until chat-log stored them all. */
async function converse(sessionId: string, count: number, tag = 'm'): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newMessageId(tag));
  for (const id of ids) await h.send(sessionId, id);
  await waitFor('stored', () => ids.every((id) => h.count(sessionId, 'stored', id) > 0));
  return ids;
}

describe('storing user messages', () => {
  test('stores a message resent three times once, and answers stored each time', async () => {
    const session = newSession();
    const id = newMessageId();
    for (let i = 0; i < 3; i++) await h.send(session, id, 'hello');
    await waitFor('three stored events', () => h.count(session, 'stored', id) === 3);
    const rows = await h.db.message.findMany({ where: { sessionId: session } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ messageId: id, turn: 1, text: 'hello' });
    expect(await h.db.session.findUnique({ where: { id: session } })).toMatchObject({ nextTurn: 2 });
  });

  test('answers a message stored again after its reply was released with the same frame, same seq', async () => {
    const session = newSession();
    const [m1, m2] = await converse(session, 2);
    await h.reply(session, m1);
    await waitFor('the first frame', () => h.frames(session).length === 1);
    await h.send(session, m1); // a resend past the broker's dedupe window
    await h.send(session, m2); // its reply is not committed yet: nothing to send again
    await waitFor('the same frame again', () => h.frames(session).length === 2);
    const [first, again] = h.frames(session);
    expect(again).toEqual(first);
    await h.settled();
    expect(h.frames(session)).toHaveLength(2);
    expect(await h.db.message.count({ where: { sessionId: session } })).toBe(2);
  });

  test('sends no stored event for a protocol 1 message, which has no such frame, and stores it all the same', async () => {
    const session = newSession();
    const [v1, v2] = [newMessageId(), newMessageId()];
    await h.send(session, v1, 'hello', 1);
    await h.send(session, v2, 'hello again');
    await waitFor('the v2 message stored', () => h.count(session, 'stored', v2) === 1);
    const rows = await h.db.message.findMany({ where: { sessionId: session }, orderBy: { turn: 'asc' } });
    expect(rows.map((r) => r.messageId)).toEqual([v1, v2]);
    expect(h.count(session, 'stored', v1)).toBe(0);
  });

  test('rejects a message_id already used by another session with E4008', async () => {
    const owner = newSession();
    const other = newSession();
    const [id] = await converse(owner, 1);
    await h.send(other, id);
    await waitFor('rejected', () => h.count(other, 'rejected', id) === 1);
    expect(h.of(other)).toEqual([{ type: 'rejected', message_id: id, code: 'E4008' }]);
    expect(await h.db.message.findUnique({ where: { messageId: id } })).toMatchObject({ sessionId: owner });
    expect(await h.db.message.count({ where: { sessionId: other } })).toBe(0);
  });

  test('gives the messages of a session consecutive turns in the order sent', async () => {
    const session = newSession();
    const ids = await converse(session, 5);
    const rows = await h.db.message.findMany({ where: { sessionId: session }, orderBy: { turn: 'asc' } });
    expect(rows.map((r) => [r.messageId, r.turn])).toEqual(ids.map((id, i) => [id, i + 1]));
  });
});

describe('handing stored messages on (chat.stored)', () => {
  test('publishes each stored message once it is committed, with its turn and the conversation before it', async () => {
    const session = newSession();
    const [m1, m2] = await converse(session, 2);
    await h.reply(session, m1);
    await waitFor('the first frame', () => h.frames(session).length === 1);
    const push = await h.reply(session, null, { answer: { message: 'welcome back', login_required: false } });
    await waitFor('the push frame', () => h.frames(session).length === 2);
    const [m3] = await converse(session, 1);
    const events = await waitFor('three events', () => (h.storedOf(session).length === 3 ? h.storedOf(session) : null));
    expect(events.map((e) => [e.message_id, e.turn, e.text])).toEqual([
      [m1, 1, `text of ${m1}`],
      [m2, 2, `text of ${m2}`],
      [m3, 3, `text of ${m3}`],
    ]);
    expect(events[0].history).toEqual([]);
    expect(events[1].history!.map((t) => [t.role, t.message_id])).toEqual([['user', m1]]);
    // what the user had seen when sending m3: m2 is not answered yet, the push came after m1's reply
    expect(events[2].history!.map((t) => [t.role, t.message_id, t.content])).toEqual([
      ['user', m1, `text of ${m1}`],
      ['assistant', m1, `answer to ${m1}`],
      ['assistant', push.reply_id, 'welcome back'],
      ['user', m2, `text of ${m2}`],
    ]);
    // the row was committed before the event left
    expect(await h.db.message.count({ where: { sessionId: session } })).toBe(3);
  });

  test('a message stored again is published again while it has no reply (same dedupe id), and not once it has one', async () => {
    const session = newSession();
    const [m1, m2] = await converse(session, 2);
    await waitFor('two events', () => h.storedOf(session).length === 2);
    await h.reply(session, m1);
    await waitFor('the first frame', () => h.frames(session).length === 1);
    await h.send(session, m1); // answered: gets its frame again, is not routed again
    await h.send(session, m2); // no reply yet: routed again, the broker keeps one copy
    await waitFor('m2 published again', () => h.storedOf(session).filter((e) => e.message_id === m2).length === 2);
    await waitFor('the same frame again', () => h.frames(session).length === 2);
    await h.settled();
    expect(h.storedOf(session).map((e) => [e.message_id, e.turn])).toEqual([[m1, 1], [m2, 2], [m2, 2]]);
    const kept = (await h.storedInBroker(session)).map((m) => m.msgId);
    expect(kept).toEqual([`${session}:${m1}`, `${session}:${m2}`]);
  });
});

describe('committing and releasing replies', () => {
  test('releases replies in turn order with contiguous seq when candidates arrive out of order', async () => {
    const session = newSession();
    const [m1, m2, m3] = await converse(session, 3);
    await h.reply(session, m3);
    await h.settled();
    expect(h.frames(session)).toEqual([]);
    await h.reply(session, m1);
    await waitFor('first frame', () => h.frames(session).length === 1);
    await h.reply(session, m2);
    await waitFor('three frames', () => h.frames(session).length === 3);
    expect(h.frames(session).map((f) => [f.seq, f.message_id, f.prompt_message_id])).toEqual([
      [1, m1, m1],
      [2, m2, m2],
      [3, m3, m3],
    ]);
    expect(await h.db.session.findUnique({ where: { id: session } })).toMatchObject({ releasedTurn: 3, lastSeq: 3 });
  });

  test('lists a session as waiting while a stored turn has no released reply, and only then', async () => {
    const session = newSession();
    const waiting = async () => (await h.db.waitingSession.count({ where: { sessionId: session } })) === 1;
    const [m1, m2] = [newMessageId(), newMessageId()];
    await h.send(session, m1);
    await h.send(session, m2);
    await waitFor('both stored', () => h.count(session, 'stored', m2) > 0 && h.count(session, 'stored', m1) > 0);
    expect(await waiting()).toBe(true);
    await h.reply(session, m2); // committed, not released: turn 1 is still unanswered
    await h.reply(session, m1);
    await waitFor('both frames', () => h.frames(session).length === 2);
    expect(await waiting()).toBe(false);
  });

  test('commits the first candidate for a prompt and drops a second one', async () => {
    const session = newSession();
    const [m1] = await converse(session, 1);
    await h.reply(session, m1, { answer: { message: 'first', login_required: false } });
    await h.reply(session, m1, { answer: { message: 'second (stale worker)', login_required: false }, source: 'llm-dispatch' });
    await h.settled();
    await waitFor('the frame', () => h.frames(session).length === 1);
    expect(h.frames(session)[0].answer.message).toBe('first');
    const rows = await h.db.reply.findMany({ where: { sessionId: session } });
    expect(rows.map((r) => [r.message, r.seq])).toEqual([['first', 1]]);
  });

  test('commits a candidate with its tool metadata and usage, and releases it through the outbox', async () => {
    const session = newSession();
    const [early] = await converse(session, 1);
    await h.reply(session, early, {
      answer: { message: 'fast cache answer', login_required: false, card_list: ['카드의정석2'], tool_name: 'get_card_description' },
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    const [frame] = await waitFor('the frame', () => (h.frames(session).length === 1 ? h.frames(session) : null));
    expect(frame).toMatchObject({
      seq: 1,
      message_id: early,
      answer: { message: 'fast cache answer', login_required: false, card_list: ['카드의정석2'], tool_name: 'get_card_description' },
      usage: { total_tokens: 3 },
    });
    const row = await h.db.reply.findUniqueOrThrow({ where: { promptMessageId: early } });
    expect(row).toMatchObject({ kind: 'answer', turn: 1, source: 'qna-cache', frameMessageId: early });
    // set at release, so the previous release's outbox (during an upgrade) leaves the frame alone
    expect(row.publishedAt).toEqual(row.releasedAt);
    // queued in the outbox by the release, taken out off the publish path right after the publish
    await waitFor('marked published', async () => (await h.db.outboxFrame.count({ where: { sessionId: session } })) === 0);
  });

  test('shows a push under the prompt of the latest login_required reply, else under its own id', async () => {
    const session = newSession();
    const [m1, m2, m3] = await converse(session, 3);
    await h.reply(session, m1, { answer: { message: 'please log in', login_required: true } });
    await h.reply(session, m2, { answer: { message: 'please log in again', login_required: true } });
    await h.reply(session, m3);
    await waitFor('three frames', () => h.frames(session).length === 3);
    const push = await h.reply(session, null, { answer: { message: 'your cards', login_required: false, tool_name: 'consumption_recommend' } });
    await waitFor('the push frame', () => h.frames(session).length === 4);
    expect(h.frames(session)[3]).toMatchObject({ seq: 4, message_id: m2, prompt_message_id: null });
    expect(await h.db.reply.findUniqueOrThrow({ where: { replyId: push.reply_id } })).toMatchObject({ kind: 'push', turn: null, frameMessageId: m2 });

    const fresh = newSession(); // logged in right after connecting: nothing sent yet
    const alone = await h.reply(fresh, null);
    await waitFor('the push frame', () => h.frames(fresh).length === 1);
    expect(h.frames(fresh)[0]).toMatchObject({ seq: 1, message_id: alone.reply_id });
  });
});

describe('requests', () => {
  test('sets feedback on a reply, changes it, and answers E4007 for an unknown message', async () => {
    const session = newSession();
    const [m1] = await converse(session, 1);
    await h.reply(session, m1);
    await waitFor('the frame', () => h.frames(session).length === 1);
    await expect(h.bus.request('feedback', { message_id: m1, is_helpful: true })).resolves.toEqual({ message_id: m1, feedback_received: true });
    expect(await h.db.reply.findUniqueOrThrow({ where: { promptMessageId: m1 } })).toMatchObject({ isHelpful: true });
    await h.bus.request('feedback', { message_id: m1, is_helpful: false });
    const row = await h.db.reply.findUniqueOrThrow({ where: { promptMessageId: m1 } });
    expect(row.isHelpful).toBe(false);
    expect(row.feedbackAt).not.toBeNull();
    await expect(h.bus.request('feedback', { message_id: 'never-sent', is_helpful: true })).rejects.toMatchObject({ code: 'E4007' });
  });

  test('history interleaves user messages and released replies, oldest first', async () => {
    const session = newSession();
    const [m1, m2, m3] = await converse(session, 3);
    await h.reply(session, m2);
    await h.reply(session, m1);
    await waitFor('two frames', () => h.frames(session).length === 2);
    const { turns } = await h.bus.request('history', { session_id: session, limit: 10 });
    expect(turns.map((t) => [t.role, t.message_id])).toEqual([
      ['user', m1],
      ['assistant', m1],
      ['user', m2],
      ['assistant', m2],
      ['user', m3],
    ]);
    expect(turns[1].content).toBe(`answer to ${m1}`);
    const last = await h.bus.request('history', { session_id: session, limit: 3 });
    expect(last.turns.map((t) => [t.role, t.message_id])).toEqual([['user', m2], ['assistant', m2], ['user', m3]]);
  });

  test('says whether a resent message is stored and hands over the frame released for it', async () => {
    const session = newSession();
    const [m1, m2] = await converse(session, 2);
    await h.reply(session, m1);
    await waitFor('the frame', () => h.frames(session).length === 1);
    const ask = (sessionId: string, messageId: string) => h.bus.request('prompt', { session_id: sessionId, message_id: messageId });
    await expect(ask(session, m1)).resolves.toEqual({ message: 'stored', frame: h.frames(session)[0] });
    await expect(ask(session, m2)).resolves.toEqual({ message: 'stored', frame: null });
    await expect(ask(session, 'never-sent')).resolves.toEqual({ message: 'missing', frame: null });
    // another session's message: refused for this one, and not this session's to see
    await expect(ask(newSession(), m1)).resolves.toEqual({ message: 'other_session', frame: null });
  });

  test('replays frames after a seq, and asks for a resync when too far behind or ahead', async () => {
    const session = newSession();
    const ids = await converse(session, 5);
    for (const id of ids) await h.reply(session, id);
    await waitFor('five frames', () => h.frames(session).length === 5);
    const replay = await h.bus.request('frames', { session_id: session, after_seq: 2 });
    expect(replay).toMatchObject({ last_seq: 5, resync: false });
    expect(replay.frames).toEqual(h.frames(session).slice(2));
    const behind = await h.bus.request('frames', { session_id: session, after_seq: 0 });
    expect(behind).toMatchObject({ last_seq: 5, resync: true });
    expect(behind.frames.map((f) => f.seq)).toEqual([1, 2, 3]);
    await expect(h.bus.request('frames', { session_id: session, after_seq: 7 })).resolves.toEqual({ frames: [], last_seq: 5, resync: true });
  });
});
