import type { ChatReplyV1 } from '@chatbot/proto';
import { classifyCandidates, planRelease, type CommitState } from './reply.planner';

const A = 'a0000000-0000-4000-8000-000000000000';
const B = 'b0000000-0000-4000-8000-000000000000';
const NOW = Date.parse('2026-11-21T12:00:00Z');

const candidate = (over: Partial<ChatReplyV1>): ChatReplyV1 => ({
  reply_id: 'r1',
  session_id: A,
  kind: 'answer',
  prompt_message_id: 'p1',
  answer: { message: 'ok', login_required: false },
  source: 'qna-cache',
  produced_at: new Date(NOW).toISOString(),
  ...over,
});

const state = (over: Partial<CommitState> = {}): CommitState => ({
  prompts: new Map([['p1', { sessionId: A, turn: 1 }]]),
  answered: new Set(),
  replyIds: new Set(),
  erased: new Set(),
  ...over,
});

const classify = (candidates: ChatReplyV1[], s = state()) => classifyCandidates(candidates, s);

describe('classifyCandidates', () => {
  test('the first candidate for a prompt wins, in the batch or already committed', () => {
    expect(classify([candidate({}), candidate({ reply_id: 'r2' })])).toEqual(['commit', 'duplicate']);
    expect(classify([candidate({ reply_id: 'r2' })], state({ answered: new Set(['p1']) }))).toEqual(['duplicate']);
  });

  test('a redelivered push is committed once', () => {
    const push = candidate({ kind: 'push', prompt_message_id: null, reply_id: 'push-1', source: 'persona' });
    expect(classify([push, push])).toEqual(['commit', 'duplicate']);
    expect(classify([push], state({ replyIds: new Set(['push-1']) }))).toEqual(['duplicate']);
  });

  test('a candidate whose prompt is not stored is an orphan at once, a failure as much as an answer', () => {
    expect(classify([candidate({ prompt_message_id: 'p9' })])).toEqual(['orphan']);
    expect(classify([candidate({ prompt_message_id: 'p9', kind: 'failure', source: 'gateway' })])).toEqual(['orphan']);
  });

  test('a prompt of another session or a missing prompt id is never committed', () => {
    expect(classify([candidate({ session_id: B })])).toEqual(['mismatch']);
    expect(classify([candidate({ kind: 'failure', prompt_message_id: null })])).toEqual(['invalid']);
  });

  test('nothing is committed to a session its owner deleted, a push included', () => {
    const push = candidate({ kind: 'push', prompt_message_id: null, reply_id: 'push-1', source: 'persona' });
    expect(classify([candidate({}), push], state({ erased: new Set([A]) }))).toEqual(['erased', 'erased']);
  });
});

describe('planRelease', () => {
  test('releases contiguous turns after the last released one, then pushes', () => {
    const plan = planRelease(new Map([[A, { releasedTurn: 1, lastSeq: 3 }]]), [
      { id: 'push', sessionId: A, turn: null },
      { id: 't3', sessionId: A, turn: 3 },
      { id: 't2', sessionId: A, turn: 2 },
      { id: 't5', sessionId: A, turn: 5 },
    ]);
    expect(plan.assignments).toEqual([
      { id: 't2', seq: 4 },
      { id: 't3', seq: 5 },
      { id: 'push', seq: 6 },
    ]);
    expect(plan.cursors).toEqual(new Map([[A, { releasedTurn: 3, lastSeq: 6 }]]));
  });

  test('a gap holds every later turn back', () => {
    const plan = planRelease(new Map([[A, { releasedTurn: 0, lastSeq: 0 }]]), [{ id: 't2', sessionId: A, turn: 2 }]);
    expect(plan.assignments).toEqual([]);
    expect(plan.cursors.size).toBe(0);
  });

  test('a handed turn is released in its place without a seq, and no longer blocks the turns after it', () => {
    const plan = planRelease(new Map([[A, { releasedTurn: 0, lastSeq: 2 }]]), [
      { id: 't1', sessionId: A, turn: 1 },
      { id: 'h2', sessionId: A, turn: 2, silent: true },
      { id: 't3', sessionId: A, turn: 3 },
      { id: 'agent', sessionId: A, turn: null },
    ]);
    expect(plan.assignments).toEqual([{ id: 't1', seq: 3 }, { id: 't3', seq: 4 }, { id: 'agent', seq: 5 }]);
    expect(plan.settled).toEqual(['h2']);
    expect(plan.cursors).toEqual(new Map([[A, { releasedTurn: 3, lastSeq: 5 }]]));
  });

  test('a handed turn after an unanswered one waits for it; alone it moves only the turn cursor', () => {
    const waiting = planRelease(new Map([[A, { releasedTurn: 0, lastSeq: 0 }]]), [{ id: 'h2', sessionId: A, turn: 2, silent: true }]);
    expect(waiting.settled).toEqual([]);
    expect(waiting.cursors.size).toBe(0);
    const next = planRelease(new Map([[A, { releasedTurn: 1, lastSeq: 1 }]]), [{ id: 'h2', sessionId: A, turn: 2, silent: true }]);
    expect(next).toEqual({ assignments: [], settled: ['h2'], cursors: new Map([[A, { releasedTurn: 2, lastSeq: 1 }]]) });
  });
});
