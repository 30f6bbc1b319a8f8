import type { ChatReplyV1 } from '@chatbot/proto';

/**
 * What happens to a candidate: `commit`, or it is dropped as a `duplicate` (the prompt already
 * has a reply, or the same reply_id was committed: a redelivered job, a stale worker), a
 * `mismatch` (the prompt belongs to another session), an `orphan` (its prompt is not stored) or
 * `invalid` (an answer without prompt), or `erased` (its session was deleted by its owner: a push,
 * or anything else that raced the delete). Answers are produced from chat.stored, after their prompt
 * was committed, so only a gateway's timeout failure for a message not stored yet (or lost before
 * it was) is an orphan: the user has been told, and a message stored later is routed and
 * answered like any other.
 */
export type Verdict = 'commit' | 'duplicate' | 'mismatch' | 'orphan' | 'invalid' | 'erased';

export interface PromptRow {
  sessionId: string;
  turn: number;
}

export interface CommitState {
  /** Stored prompts named by the candidates, by message id. */
  prompts: ReadonlyMap<string, PromptRow>;
  /** Prompts that already have a committed reply. */
  answered: ReadonlySet<string>;
  /** Candidate reply ids already committed. */
  replyIds: ReadonlySet<string>;
  /** Sessions of the batch deleted by their owner (tombstones). */
  erased: ReadonlySet<string>;
}

/** Verdicts in batch order; within a batch too the first candidate for a prompt wins. */
export function classifyCandidates(candidates: ChatReplyV1[], state: CommitState): Verdict[] {
  const answered = new Set(state.answered);
  const replyIds = new Set(state.replyIds);
  return candidates.map((candidate) => {
    const verdict = state.erased.has(candidate.session_id) ? 'erased' : verdictOf(candidate, state.prompts, answered, replyIds);
    if (verdict === 'commit') {
      replyIds.add(candidate.reply_id);
      if (candidate.kind !== 'push' && candidate.prompt_message_id) answered.add(candidate.prompt_message_id);
    }
    return verdict;
  });
}

function verdictOf(
  candidate: ChatReplyV1,
  prompts: CommitState['prompts'],
  answered: Set<string>,
  replyIds: Set<string>,
): Verdict {
  if (replyIds.has(candidate.reply_id)) return 'duplicate';
  if (candidate.kind === 'push') return 'commit';
  const promptMessageId = candidate.prompt_message_id;
  if (promptMessageId === null) return 'invalid';
  const prompt = prompts.get(promptMessageId);
  if (!prompt) return 'orphan';
  if (prompt.sessionId !== candidate.session_id) return 'mismatch';
  return answered.has(promptMessageId) ? 'duplicate' : 'commit';
}

export interface SessionCursor {
  releasedTurn: number;
  lastSeq: number;
}

/** A committed, unreleased reply: an answer or failure with its turn, or a push (turn null). */
export interface Unreleased {
  id: string;
  sessionId: string;
  turn: number | null;
  /** A message handed to an agent: its turn is released, with no seq and no frame. */
  silent?: boolean;
}

export interface ReleasePlan {
  assignments: Array<{ id: string; seq: number }>;
  /** Silent rows released in turn order (they get no seq). */
  settled: string[];
  cursors: Map<string, SessionCursor>;
}

/**
 * Releases, per session, every reply whose turn follows the last released turn without a gap,
 * then the pushes (which have no turn), each with the session's next frame sequence number.
 * A reply whose earlier turn is still unanswered stays unreleased.
 */
export function planRelease(cursors: ReadonlyMap<string, SessionCursor>, pending: Unreleased[]): ReleasePlan {
  const plan: ReleasePlan = { assignments: [], settled: [], cursors: new Map() };
  for (const [sessionId, replies] of groupBySession(pending)) {
    const start = cursors.get(sessionId);
    if (!start) continue;
    const cursor = { ...start };
    const byTurn = new Map(replies.filter((r) => r.turn !== null).map((r) => [r.turn as number, r]));
    for (let next = byTurn.get(cursor.releasedTurn + 1); next !== undefined; next = byTurn.get(cursor.releasedTurn + 1)) {
      cursor.releasedTurn += 1;
      if (next.silent) plan.settled.push(next.id);
      else plan.assignments.push({ id: next.id, seq: ++cursor.lastSeq });
    }
    for (const push of replies.filter((r) => r.turn === null)) plan.assignments.push({ id: push.id, seq: ++cursor.lastSeq });
    if (cursor.lastSeq !== start.lastSeq || cursor.releasedTurn !== start.releasedTurn) plan.cursors.set(sessionId, cursor);
  }
  return plan;
}

function groupBySession(pending: Unreleased[]): Map<string, Unreleased[]> {
  const groups = new Map<string, Unreleased[]>();
  for (const reply of pending) {
    const group = groups.get(reply.sessionId) ?? [];
    group.push(reply);
    groups.set(reply.sessionId, group);
  }
  return groups;
}
