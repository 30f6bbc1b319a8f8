import type { ChatReplyV1 } from '@chatbot/proto';
import type { Db } from '../store/database';
import { transaction, type Sql } from '../store/sql';
import type { ReleasedReply } from '../frames/frame.mapper';
import { insertAndRelease } from './release.repository';
import { answerRow, latestLoginPrompts, pushRow, type LoginPrompt, type ReplyRow } from './reply-row.mapper';
import { classifyCandidates, type CommitState, type SessionCursor, type Verdict } from './reply.planner';

export interface CommitResult {
  verdicts: Verdict[];
  /** Replies released by this transaction (some maybe committed earlier), by session then seq. */
  released: ReleasedReply[];
}

/**
 * Commits a batch of candidates and releases what became releasable, in one transaction. Every
 * candidate's session row is created if missing and locked first (id order), before anything is
 * read: a store of the same session either committed before (its prompt is seen) or waits for
 * this transaction, so commits, stores and releases of one session never interleave and "the
 * first reply per prompt wins" cannot race. A new reply that is next in
 * turn order is inserted already released; committed ones it unblocks are updated. Whatever else
 * of the locked sessions is releasable is released too, so a reply stranded by an earlier fault
 * goes out with the next commit that touches its session (the release-deadline sweep's, at worst).
 * Every release is queued in the outbox in the same transaction.
 */
export function commitReplies(db: Db, candidates: ChatReplyV1[]): Promise<CommitResult> {
  return transaction(db.pool, async (tx) => {
    const { cursors, erased } = await lockSessions(tx, candidates);
    const state = { ...(await loadCommitState(tx, candidates)), erased };
    const verdicts = classifyCandidates(candidates, state);
    const rows = await rowsToCommit(tx, candidates.filter((_, i) => verdicts[i] === 'commit'), state);
    return { verdicts, released: await insertAndRelease(tx, cursors, rows) };
  });
}

/**
 * The upsert matters: `FOR UPDATE` neither sees nor waits for a session row another transaction
 * inserted and has not committed yet, while the insert waits for that transaction to end.
 */
async function lockSessions(tx: Sql, candidates: ChatReplyV1[]): Promise<{ cursors: Map<string, SessionCursor>; erased: Set<string> }> {
  const ids = [...new Set(candidates.map((c) => c.session_id))].sort();
  await tx.execute`
    INSERT INTO chat_log.sessions (id) SELECT unnest(${ids}::uuid[]) ORDER BY 1 ON CONFLICT DO NOTHING`;
  const rows = await tx.query<Array<{ id: string; released_turn: number; last_seq: number; erased: boolean }>>`
    SELECT id::text, released_turn, last_seq, deleted_at IS NOT NULL AS erased FROM chat_log.sessions
    WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
  return {
    cursors: new Map(rows.map((r) => [r.id, { releasedTurn: r.released_turn, lastSeq: r.last_seq }])),
    erased: new Set(rows.filter((r) => r.erased).map((r) => r.id)),
  };
}

async function loadCommitState(tx: Sql, candidates: ChatReplyV1[]): Promise<Omit<CommitState, 'erased'>> {
  const promptIds = candidates.flatMap((c) => (c.kind !== 'push' && c.prompt_message_id ? [c.prompt_message_id] : []));
  const replyIds = candidates.map((c) => c.reply_id);
  const prompts = await tx.query<Array<{ message_id: string; session_id: string; turn: number }>>`
    SELECT message_id, session_id::text, turn FROM chat_log.messages WHERE message_id = ANY(${promptIds}::text[])`;
  const replies = await tx.query<Array<{ prompt_message_id: string | null; reply_id: string }>>`
    SELECT prompt_message_id, reply_id FROM chat_log.replies
    WHERE prompt_message_id = ANY(${promptIds}::text[]) OR reply_id = ANY(${replyIds}::text[])`;
  return {
    prompts: new Map(prompts.map((p) => [p.message_id, { sessionId: p.session_id, turn: p.turn }])),
    answered: new Set(replies.flatMap((r) => (r.prompt_message_id ? [r.prompt_message_id] : []))),
    replyIds: new Set(replies.map((r) => r.reply_id)),
  };
}

/** Answers and failures first, then pushes (which may be shown under one of those answers). */
async function rowsToCommit(tx: Sql, committed: ChatReplyV1[], state: CommitState): Promise<ReplyRow[]> {
  const answers = committed.filter((c) => c.kind !== 'push').map((c) => answerRow(c, state.prompts.get(c.prompt_message_id!)!));
  const pushes = committed.filter((c) => c.kind === 'push');
  if (pushes.length === 0) return answers;
  const logins = latestLoginPrompts(await storedLoginPrompts(tx, pushes.map((p) => p.session_id)), answers);
  return [...answers, ...pushes.map((p) => pushRow(p, logins.get(p.session_id)))];
}

async function storedLoginPrompts(tx: Sql, sessionIds: string[]): Promise<Map<string, LoginPrompt>> {
  const rows = await tx.query<Array<{ session_id: string; prompt_message_id: string; turn: number }>>`
    SELECT DISTINCT ON (session_id) session_id::text, prompt_message_id, turn FROM chat_log.replies
    WHERE session_id = ANY(${[...new Set(sessionIds)]}::uuid[]) AND login_required AND turn IS NOT NULL
    ORDER BY session_id, turn DESC`;
  return new Map(rows.map((r) => [r.session_id, { promptMessageId: r.prompt_message_id, turn: r.turn }]));
}
