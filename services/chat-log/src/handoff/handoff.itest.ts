import { randomUUID } from 'node:crypto';
import type { HandoffCommand, HandoffResult } from '@chatbot/proto';
import { Harness, newMessageId, newSession, waitFor } from '../../test/harness';

let h: Harness;
const AGENT = randomUUID();
const OTHER = randomUUID();

beforeAll(async () => {
  h = await Harness.start({ HANDOFF_KEYWORDS: '상담원, Human Agent' });
});
afterAll(async () => {
  await h?.stop();
});

const command = (sessionId: string, action: HandoffCommand['action'], actor: string | null, over: Partial<HandoffCommand> = {}) =>
  h.bus.request('handoff', { session_id: sessionId, action, actor_id: actor, ...over }, { timeoutMs: 5_000 });
const say = (sessionId: string, text: string) =>
  h.bus.request('agentMessage', { session_id: sessionId, agent_id: AGENT, message: text }, { timeoutMs: 5_000 });

/** A session chat-log has seen, with its first message answered by the assistant. */
async function startedSession(): Promise<string> {
  const sessionId = newSession();
  h.answerWhenStored([sessionId]);
  const first = newMessageId('first');
  await h.send(sessionId, first);
  await waitFor('the first answer', () => h.frames(sessionId).some((f) => f.prompt_message_id === first));
  return sessionId;
}

const stateOf = (result: HandoffResult) => (result.outcome === 'not_found' ? undefined : result.state);

describe('conversation status', () => {
  test('two agents take over at once: exactly one wins, the other is told who holds it', async () => {
    const sessionId = await startedSession();
    const results = await Promise.all([command(sessionId, 'takeover', AGENT), command(sessionId, 'takeover', OTHER)]);
    const winners = results.filter((r) => r.outcome === 'changed');
    const losers = results.filter((r) => r.outcome === 'conflict');
    expect(winners).toHaveLength(1);
    expect(losers).toEqual([expect.objectContaining({ reason: 'holder', state: expect.objectContaining({ status: 'agent', holder_id: stateOf(winners[0])!.holder_id }) })]);
    expect(stateOf(winners[0])).toMatchObject({ status: 'agent', version: 1 });
    // a retry by the winner is idempotent: same version, no second status frame
    const again = await command(sessionId, 'takeover', stateOf(winners[0])!.holder_id);
    expect(again).toMatchObject({ outcome: 'unchanged', state: { version: 1 } });
    await waitFor('the status frame', () => h.frames(sessionId).some((f) => f.sender === 'system' && f.status === 'agent'));
    expect(h.frames(sessionId).filter((f) => f.sender === 'system')).toHaveLength(1);
  });

  test('unknown conversations are not found; a closed one refuses takeover with its state', async () => {
    expect(await command(newSession(), 'takeover', AGENT)).toEqual({ outcome: 'not_found' });
    const sessionId = await startedSession();
    expect(await command(sessionId, 'complete', AGENT)).toMatchObject({ outcome: 'changed', state: { status: 'completed' } });
    expect(await command(sessionId, 'takeover', AGENT)).toMatchObject({ outcome: 'conflict', reason: 'state', state: { status: 'completed' } });
    expect(await command(sessionId, 'takeover', AGENT, { expected_version: 0 })).toMatchObject({ outcome: 'conflict' });
  });

  test('a stale expected version is refused with the current state', async () => {
    const sessionId = await startedSession();
    await command(sessionId, 'handoff', null);
    expect(await command(sessionId, 'takeover', AGENT, { expected_version: 0 })).toMatchObject({ outcome: 'conflict', reason: 'version', state: { status: 'waiting', version: 1 } });
    expect(await command(sessionId, 'takeover', AGENT, { expected_version: 1 })).toMatchObject({ outcome: 'changed', state: { status: 'agent', version: 2 } });
  });
});

describe('exactly one answerer', () => {
  test('in waiting and agent a message is handed, not sent to the assistant; the agent answers with a durable frame', async () => {
    const sessionId = await startedSession();
    await command(sessionId, 'handoff', null);
    const waiting = newMessageId('w');
    await h.send(sessionId, waiting);
    await waitFor('handed in waiting', () => h.of(sessionId).some((d) => d.type === 'handed' && d.message_id === waiting && d.status === 'waiting'));
    await command(sessionId, 'takeover', AGENT);
    const held = newMessageId('a');
    await h.send(sessionId, held);
    await waitFor('handed in agent', () => h.of(sessionId).some((d) => d.type === 'handed' && d.message_id === held && d.status === 'agent'));
    // What a gateway whose `handed` notice was lost learns when its reply timer fires.
    expect(await h.bus.request('prompt', { session_id: sessionId, message_id: held })).toEqual({ message: 'stored', frame: null, handed: 'agent' });
    expect(h.storedOf(sessionId).map((e) => e.message_id)).not.toContain(waiting);
    expect(h.storedOf(sessionId).map((e) => e.message_id)).not.toContain(held);
    // releasing with messages nobody answered is refused until the agent writes
    expect(await command(sessionId, 'release', AGENT)).toMatchObject({ outcome: 'conflict', reason: 'unanswered' });
    const sent = await say(sessionId, 'Hello, I am here to help.');
    expect(sent).toMatchObject({ outcome: 'sent', state: { status: 'agent' } });
    const frame = await waitFor('the agent frame', () => h.frames(sessionId).find((f) => f.sender === 'agent'));
    expect(frame).toMatchObject({ answer: { message: 'Hello, I am here to help.' }, prompt_message_id: null, seq: sent.outcome === 'sent' ? sent.seq : -1 });
    expect(await command(sessionId, 'release', AGENT)).toMatchObject({ outcome: 'changed', state: { status: 'bot', holder_id: null } });
    const after = newMessageId('b');
    await h.send(sessionId, after);
    await waitFor('the assistant answers again', () => h.frames(sessionId).some((f) => f.prompt_message_id === after));
    // the turns of handed messages were released silently: nothing is left waiting
    const row = await h.db.session.findUniqueOrThrow({ where: { id: sessionId } });
    expect(row.releasedTurn).toBe(row.nextTurn - 1);
    const seqs = h.frames(sessionId).map((f) => f.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  test('a keyword escalates to waiting in the same step: that message goes to the agent, the user is told', async () => {
    const sessionId = await startedSession();
    const asking = newMessageId('k');
    await h.send(sessionId, asking, 'please get me a HUMAN AGENT now');
    await waitFor('handed', () => h.of(sessionId).some((d) => d.type === 'handed' && d.message_id === asking));
    await waitFor('the waiting frame', () => h.frames(sessionId).some((f) => f.sender === 'system' && f.status === 'waiting'));
    expect(h.storedOf(sessionId).map((e) => e.message_id)).not.toContain(asking);
    expect(await h.db.session.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({ status: 'waiting', statusVersion: 1 });
  });

  test('a message on a completed conversation reopens it for the assistant (COMPLETED_MESSAGES=reopen)', async () => {
    const sessionId = await startedSession();
    await command(sessionId, 'complete', AGENT);
    const late = newMessageId('late');
    await h.send(sessionId, late);
    await waitFor('the assistant answers', () => h.frames(sessionId).some((f) => f.prompt_message_id === late));
    expect(await h.db.session.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({ status: 'bot', statusVersion: 2 });
  });

  test('a handed message sent again is handed again, never sent to the assistant', async () => {
    const sessionId = await startedSession();
    await command(sessionId, 'takeover', AGENT);
    const once = newMessageId('once');
    await h.send(sessionId, once);
    await waitFor('handed', () => h.count(sessionId, 'handed', once) === 1);
    await h.send(sessionId, once);
    await waitFor('handed again', () => h.count(sessionId, 'handed', once) === 2);
    await h.settled();
    expect(h.storedOf(sessionId).map((e) => e.message_id)).not.toContain(once);
  });

  test('the agents\' lists page through conversations with status, unread count, last message and holder', async () => {
    const sessionId = await startedSession();
    await command(sessionId, 'takeover', AGENT);
    await h.send(sessionId, newMessageId('u'), 'unread one');
    await h.send(sessionId, newMessageId('u'), 'unread two');
    await waitFor('both handed', () => h.count(sessionId, 'handed') === 2);
    const find = async () => {
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const result = await h.bus.request('conversations', { list: 'active', limit: 2, ...(cursor ? { cursor } : {}) }, { timeoutMs: 5_000 });
        const item = result.items.find((i) => i.session_id === sessionId);
        if (item || result.next_cursor === null) return item;
        cursor = result.next_cursor;
      }
      return undefined;
    };
    expect(await find()).toMatchObject({ status: 'agent', holder_id: AGENT, unread: 2, last_message: { sender: 'user', text: 'unread two' } });
    await say(sessionId, 'answered');
    expect(await find()).toMatchObject({ unread: 0, last_message: { sender: 'agent', text: 'answered' } });
    const pending = await h.bus.request('conversations', { list: 'pending', limit: 100 }, { timeoutMs: 5_000 });
    expect(pending.items.every((i) => i.status === 'waiting')).toBe(true);
  });
});

describe('whose conversation it is', () => {
  /** A session of this account with one stored message. */
  async function ownedSession(userId: string): Promise<string> {
    const sessionId = newSession();
    const first = newMessageId('mine');
    await h.sendAs(userId, sessionId, first);
    await waitFor('stored', () => h.count(sessionId, 'stored', first) === 1);
    return sessionId;
  }

  const inList = async (list: 'active' | 'pending' | 'completed', sessionId: string) => {
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const result = await h.bus.request('conversations', { list, limit: 100, ...(cursor ? { cursor } : {}) }, { timeoutMs: 5_000 });
      if (result.items.some((i) => i.session_id === sessionId)) return true;
      if (result.next_cursor === null) return false;
      cursor = result.next_cursor;
    }
    return false;
  };

  test('the user\'s handoff: the owner may ask; another account or an anonymous caller is told not found; an anonymous session only anonymously', async () => {
    const [alice, mallory] = [randomUUID(), randomUUID()];
    const owned = await ownedSession(alice);
    expect(await command(owned, 'handoff', mallory)).toEqual({ outcome: 'not_found' });
    expect(await command(owned, 'handoff', null)).toEqual({ outcome: 'not_found' });
    expect(await command(owned, 'handoff', alice)).toMatchObject({ outcome: 'changed', state: { status: 'waiting' } });
    const anonymous = await startedSession();
    expect(await command(anonymous, 'handoff', alice)).toEqual({ outcome: 'not_found' });
    expect(await command(anonymous, 'handoff', null)).toMatchObject({ outcome: 'changed', state: { status: 'waiting' } });
  });

  test('an erased conversation leaves the agents\' lists, refuses every command as unknown and keeps no handoff state', async () => {
    const alice = randomUUID();
    const [held, waiting] = [await ownedSession(alice), await ownedSession(alice)];
    await command(held, 'takeover', AGENT);
    const handed = newMessageId('handed');
    await h.sendAs(alice, held, handed);
    await waitFor('handed', () => h.count(held, 'handed', handed) === 1);
    await say(held, 'an agent answers');
    await command(waiting, 'handoff', alice);
    expect([await inList('active', held), await inList('pending', waiting)]).toEqual([true, true]);

    for (const sessionId of [held, waiting]) await h.bus.request('conversationDelete', { user_id: alice, session_id: sessionId });
    expect([await inList('active', held), await inList('pending', waiting), await inList('active', waiting)]).toEqual([false, false, false]);
    expect(await command(held, 'release', AGENT)).toEqual({ outcome: 'not_found' });
    expect(await command(waiting, 'takeover', AGENT)).toEqual({ outcome: 'not_found' });
    expect(await command(waiting, 'handoff', alice)).toEqual({ outcome: 'not_found' });
    expect(await say(held, 'still there?')).toEqual({ outcome: 'not_found' });
    const rows = await h.db.session.findMany({ where: { id: { in: [held, waiting] } }, select: { status: true, holderId: true, statusVersion: true } });
    expect(rows).toEqual(expect.arrayContaining([{ status: 'bot', holderId: null, statusVersion: 2 }, { status: 'bot', holderId: null, statusVersion: 2 }]));
    expect(await h.db.reply.count({ where: { sessionId: { in: [held, waiting] } } })).toBe(0);
  });
});
