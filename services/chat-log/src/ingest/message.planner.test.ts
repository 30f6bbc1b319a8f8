import { planInbound, type InboundMessage, type StoredMessage } from './message.planner';

const A = 'a0000000-0000-4000-8000-000000000000';
const B = 'b0000000-0000-4000-8000-000000000000';
const ALICE = 'a11ce000-0000-4000-8000-000000000000';
const BOB = 'b0b00000-0000-4000-8000-000000000000';
const msg = (sessionId: string, messageId: string, userId: string | null = null): InboundMessage => ({
  sessionId,
  messageId,
  userId,
  text: 'hi',
  clientTimestamp: null,
  receivedAt: new Date(0),
  inboundSeq: 1,
});
const row = (sessionId: string, turn: number, answered: boolean): StoredMessage => ({ sessionId, turn, text: 'stored text', receivedAt: new Date(0), answered, handedStatus: null });
const none = new Map<string, StoredMessage>();
const none2 = new Map<string, { ownerId: string | null; deleted: boolean }>();

describe('planInbound', () => {
  test('gives new messages consecutive turns from the session counter, in batch order', () => {
    const plan = planInbound([msg(A, 'm1'), msg(B, 'm2'), msg(A, 'm3')], { stored: none, nextTurn: new Map([[A, 4], [B, 1]]), owners: none2 });
    expect(plan.inserts.map((m) => [m.messageId, m.turn])).toEqual([['m1', 4], ['m2', 1], ['m3', 5]]);
    expect(plan.nextTurn).toEqual(new Map([[A, 6], [B, 2]]));
    expect(plan.outcomes).toEqual(['stored', 'stored', 'stored']);
    expect(plan.routed.map((m) => [m.messageId, m.turn])).toEqual([['m1', 4], ['m2', 1], ['m3', 5]]);
  });

  test('a message already stored for its session is restored: routed again while it has no reply, else answered again', () => {
    const plan = planInbound([msg(A, 'm1'), msg(A, 'm2'), msg(A, 'm1')], {
      stored: new Map([['m1', row(A, 1, false)], ['m2', row(A, 2, true)]]),
      nextTurn: new Map([[A, 3]]),
      owners: none2,
    });
    expect(plan.inserts).toEqual([]);
    expect(plan.nextTurn.size).toBe(0);
    expect(plan.outcomes).toEqual(['restored', 'restored', 'restored']);
    expect(plan.routed).toEqual([{ sessionId: A, messageId: 'm1', turn: 1, text: 'stored text', receivedAt: new Date(0) }]);
    expect(plan.answered).toEqual(['m2']);
  });

  test('the same id twice in one batch is stored once, then restored', () => {
    const plan = planInbound([msg(A, 'm1'), msg(A, 'm1')], { stored: none, nextTurn: new Map([[A, 1]]), owners: none2 });
    expect(plan.inserts.map((m) => m.messageId)).toEqual(['m1']);
    expect(plan.routed.map((m) => m.messageId)).toEqual(['m1']);
    expect(plan.outcomes).toEqual(['stored', 'restored']);
  });

  test('an id owned by another session is rejected, stored or earlier in the same batch', () => {
    const plan = planInbound([msg(B, 'm1'), msg(A, 'm2'), msg(B, 'm2'), msg(A, 'm2')], {
      stored: new Map([['m1', row(A, 1, false)]]),
      nextTurn: new Map([[A, 1], [B, 1]]),
      owners: none2,
    });
    expect(plan.outcomes).toEqual(['rejected', 'stored', 'rejected', 'restored']);
    expect(plan.inserts.map((m) => m.messageId)).toEqual(['m2']);
    expect(plan.routed.map((m) => m.messageId)).toEqual(['m2']);
  });

  test('the first signed-in sender of a new session takes it; later messages of others in the batch are refused', () => {
    const plan = planInbound([msg(A, 'm1', ALICE), msg(A, 'm2', BOB), msg(A, 'm3', null), msg(A, 'm4', ALICE)], {
      stored: none, nextTurn: new Map([[A, 1]]), owners: new Map([[A, { ownerId: null, deleted: false }]]),
    });
    expect(plan.outcomes).toEqual(['stored', 'refused', 'refused', 'stored']);
    expect(plan.claims).toEqual(new Map([[A, ALICE]]));
    expect(plan.inserts.map((m) => [m.messageId, m.turn])).toEqual([['m1', 1], ['m4', 2]]);
  });

  test('refuses an account on an anonymous session, anyone on another account\'s or a deleted one, and claims nothing', () => {
    const plan = planInbound([msg(A, 'm1', ALICE), msg(B, 'm2', null), msg(B, 'm3', ALICE), msg(B, 'm4', BOB)], {
      stored: none,
      nextTurn: new Map([[A, 3], [B, 2]]),
      owners: new Map([[A, { ownerId: null, deleted: false }], [B, { ownerId: BOB, deleted: false }]]),
    });
    expect(plan.outcomes).toEqual(['refused', 'refused', 'refused', 'stored']);
    expect(plan.claims.size).toBe(0);
    const gone = planInbound([msg(A, 'm5', ALICE)], { stored: none, nextTurn: new Map([[A, 4]]), owners: new Map([[A, { ownerId: ALICE, deleted: true }]]) });
    expect(gone.outcomes).toEqual(['refused']);
    expect(gone.inserts).toEqual([]);
  });

  test('a resend from someone else than the owner is refused before it is looked up', () => {
    const plan = planInbound([msg(A, 'm1', BOB)], {
      stored: new Map([['m1', row(A, 1, true)]]), nextTurn: new Map([[A, 2]]), owners: new Map([[A, { ownerId: ALICE, deleted: false }]]),
    });
    expect(plan.outcomes).toEqual(['refused']);
    expect(plan.answered).toEqual([]);
  });

  test('an id of another session does not claim the session it was sent to', () => {
    const plan = planInbound([msg(B, 'm1', ALICE)], {
      stored: new Map([['m1', row(A, 1, false)]]), nextTurn: new Map([[B, 1]]), owners: new Map([[B, { ownerId: null, deleted: false }]]),
    });
    expect(plan.outcomes).toEqual(['rejected']);
    expect(plan.claims.size).toBe(0);
  });

  test('a completed conversation that takes no new message refuses it before it gets a turn; a handed one is told again', () => {
    const handed: StoredMessage = { ...row(A, 1, true), handedStatus: 'agent' };
    const plan = planInbound([msg(A, 'm1'), msg(A, 'm2'), msg(B, 'm3')], { stored: new Map([['m1', handed]]), nextTurn: new Map([[A, 2], [B, 1]]), owners: none2, closed: new Set([A]) });
    expect(plan.outcomes).toEqual(['restored', 'closed', 'stored']);
    expect(plan.inserts.map((m) => [m.messageId, m.turn])).toEqual([['m3', 1]]);
    expect(plan.handedAgain).toEqual([{ sessionId: A, messageId: 'm1', status: 'agent' }]);
    expect(plan.answered).toEqual([]);
  });
});
