import { randomUUID } from 'node:crypto';
import { Harness, newMessageId, newSession, waitFor } from '../../test/harness';

let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h?.stop();
});

const access = (sessionId: string, userId: string | null) => h.bus.request('sessionAccess', { session_id: sessionId, user_id: userId }).then((r) => r.access);
const stored = (sessionId: string) => h.db.message.findMany({ where: { sessionId }, orderBy: { turn: 'asc' }, select: { messageId: true } }).then((rows) => rows.map((r) => r.messageId));

describe('who owns a session', () => {
  test('the signed-in sender of the first message owns the session; another account and anonymous senders are refused with E4005, nothing stored', async () => {
    const [alice, bob, session] = [randomUUID(), randomUUID(), newSession()];
    expect(await access(session, alice)).toBe('new');
    const [first, fromBob, fromNobody, second] = [newMessageId(), newMessageId(), newMessageId(), newMessageId()];
    await h.sendAs(alice, session, first);
    await waitFor('the first message stored', () => h.count(session, 'stored', first) === 1);
    await h.sendAs(bob, session, fromBob);
    await h.send(session, fromNobody);
    await h.sendAs(alice, session, second);
    await waitFor('the owner\'s second message stored', () => h.count(session, 'stored', second) === 1);
    await h.settled();
    expect(h.of(session).filter((d) => d.type === 'rejected')).toEqual([
      { type: 'rejected', message_id: fromBob, code: 'E4005' },
      { type: 'rejected', message_id: fromNobody, code: 'E4005' },
    ]);
    expect(await stored(session)).toEqual([first, second]);
    expect(h.storedOf(session).map((e) => e.message_id)).toEqual([first, second]);
    expect(await h.db.session.findUniqueOrThrow({ where: { id: session } })).toMatchObject({ ownerId: alice, nextTurn: 3 });
    expect(await access(session, alice)).toBe('owner');
    expect(await access(session, bob)).toBe('other');
    expect(await access(session, null)).toBe('other');
  });

  test('an anonymous session stays anonymous: a signed-in sender is refused there', async () => {
    const [alice, session] = [randomUUID(), newSession()];
    const [anonymous, fromAlice] = [newMessageId(), newMessageId()];
    await h.send(session, anonymous);
    await waitFor('the anonymous message stored', () => h.count(session, 'stored', anonymous) === 1);
    const { updatedAt } = await h.db.session.findUniqueOrThrow({ where: { id: session } });
    const again = newMessageId();
    await h.send(session, again);
    await waitFor('the second anonymous message stored', () => h.count(session, 'stored', again) === 1);
    // Unchanged: an anonymous session's counter update touches no indexed column, so it stays HOT.
    expect((await h.db.session.findUniqueOrThrow({ where: { id: session } })).updatedAt).toEqual(updatedAt);
    await h.sendAs(alice, session, fromAlice);
    await waitFor('refused', () => h.count(session, 'rejected', fromAlice) === 1);
    expect(await stored(session)).toEqual([anonymous, again]);
    expect(await h.db.session.findUniqueOrThrow({ where: { id: session } })).toMatchObject({ ownerId: null });
    expect(await access(session, null)).toBe('anonymous');
    expect(await access(session, alice)).toBe('anonymous');
  });

  test('a resend of the owner\'s message by another account is refused, not answered with the owner\'s frame', async () => {
    const [alice, bob, session] = [randomUUID(), randomUUID(), newSession()];
    const id = newMessageId();
    await h.sendAs(alice, session, id);
    await waitFor('stored', () => h.count(session, 'stored', id) === 1);
    await h.reply(session, id);
    await waitFor('the frame', () => h.frames(session).length === 1);
    await h.sendAs(bob, session, id);
    await waitFor('refused', () => h.count(session, 'rejected', id) === 1);
    await h.settled();
    expect(h.frames(session)).toHaveLength(1);
  });

  test('a session whose row exists without messages (a reply came first) is still new, and its first signed-in sender takes it', async () => {
    const [alice, session] = [randomUUID(), newSession()];
    await h.reply(session, null); // a push creates the row
    await waitFor('the push frame', () => h.frames(session).length === 1);
    expect(await access(session, alice)).toBe('new');
    const id = newMessageId();
    await h.sendAs(alice, session, id);
    await waitFor('stored', () => h.count(session, 'stored', id) === 1);
    expect(await access(session, alice)).toBe('owner');
  });

  test('a deleted session refuses every sender, its former owner included', async () => {
    const [alice, session] = [randomUUID(), newSession()];
    const [first, late] = [newMessageId(), newMessageId()];
    await h.sendAs(alice, session, first);
    await waitFor('stored', () => h.count(session, 'stored', first) === 1);
    await h.db.session.update({ where: { id: session }, data: { deletedAt: new Date() } });
    await h.sendAs(alice, session, late);
    await waitFor('refused', () => h.count(session, 'rejected', late) === 1);
    expect(await stored(session)).toEqual([first]);
    expect(await access(session, alice)).toBe('other');
  });
});
