import type { ChatReplyV1 } from '@chatbot/proto';
import type { Db } from '../store/database';
import { Prisma } from '../generated/prisma/client';
import { transaction, type Tx } from '../store/sql';
import { lockSessions } from '../store/session-lock';
import type { ReleasedReply } from '../frames/frame.mapper';
import { insertAndRelease, unreleasedTurns } from './release.repository';
import { answerRow, latestLoginPrompts, pushRow, type LoginPrompt, type ReplyRow } from './reply-row.mapper';
import { classifyCandidates, type CommitState, type SessionCursor, type Unreleased, type Verdict } from './reply.planner';

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
 * Every release is queued in the outbox in the same transaction. Two round trips: the lock and
 * every read, then the writes and the commit.
 */
export function commitReplies(db: Db, candidates: ChatReplyV1[]): Promise<CommitResult> {
  return transaction(db.pool, async (tx) => {
    const { cursors, erased, waiting, logins, ...read } = await lockAndRead(tx, candidates);
    const state = { ...read, erased };
    const verdicts = classifyCandidates(candidates, state);
    const rows = rowsToCommit(candidates.filter((_, i) => verdicts[i] === 'commit'), state, logins);
    return { verdicts, released: await insertAndRelease(tx, cursors, rows, { waiting, commit: true }) };
  });
}

type SessionRow = { id: string; released_turn: number; last_seq: number; erased: boolean };
type PromptRow = { message_id: string; session_id: string; turn: number };
type ReplyKeyRow = { prompt_message_id: string | null; reply_id: string };
type LoginRow = { session_id: string; prompt_message_id: string; turn: number };

/**
 * In one round trip that also begins the transaction: locks the candidates' sessions (creating
 * those not seen before), then reads the prompts, the replies already committed, the sessions'
 * unreleased turns and, when pushes are among the candidates, their login prompts.
 */
async function lockAndRead(tx: Tx, candidates: ChatReplyV1[]) {
  const ids = [...new Set(candidates.map((c) => c.session_id))].sort();
  const promptIds = candidates.flatMap((c) => (c.kind !== 'push' && c.prompt_message_id ? [c.prompt_message_id] : []));
  const replyIds = candidates.map((c) => c.reply_id);
  const pushSessions = [...new Set(candidates.filter((c) => c.kind === 'push').map((c) => c.session_id))];
  const { sessions, reads } = await lockSessions<SessionRow>(tx, ids,
    Prisma.sql`SELECT id::text, released_turn, last_seq, deleted_at IS NOT NULL AS erased FROM chat_log.sessions
      WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`,
    [
      Prisma.sql`SELECT message_id, session_id::text, turn FROM chat_log.messages WHERE message_id = ANY(${promptIds}::text[])`,
      Prisma.sql`SELECT prompt_message_id, reply_id FROM chat_log.replies
        WHERE prompt_message_id = ANY(${promptIds}::text[]) OR reply_id = ANY(${replyIds}::text[])`,
      unreleasedTurns(ids),
      ...(pushSessions.length > 0 ? [storedLoginPrompts(pushSessions)] : []),
    ],
  );
  const [prompts, replies, waiting, logins = []] = reads as [PromptRow[], ReplyKeyRow[], Unreleased[], LoginRow[]?];
  return {
    cursors: new Map(sessions.map((r) => [r.id, { releasedTurn: r.released_turn, lastSeq: r.last_seq }])) as Map<string, SessionCursor>,
    erased: new Set(sessions.filter((r) => r.erased).map((r) => r.id)),
    prompts: new Map(prompts.map((p) => [p.message_id, { sessionId: p.session_id, turn: p.turn }])),
    answered: new Set(replies.flatMap((r) => (r.prompt_message_id ? [r.prompt_message_id] : []))),
    replyIds: new Set(replies.map((r) => r.reply_id)),
    waiting,
    logins: new Map(logins.map((r) => [r.session_id, { promptMessageId: r.prompt_message_id, turn: r.turn }])) as Map<string, LoginPrompt>,
  };
}

/** Answers and failures first, then pushes (which may be shown under one of those answers). */
function rowsToCommit(committed: ChatReplyV1[], state: CommitState, stored: Map<string, LoginPrompt>): ReplyRow[] {
  const answers = committed.filter((c) => c.kind !== 'push').map((c) => answerRow(c, state.prompts.get(c.prompt_message_id!)!));
  const pushes = committed.filter((c) => c.kind === 'push');
  if (pushes.length === 0) return answers;
  const logins = latestLoginPrompts(stored, answers);
  return [...answers, ...pushes.map((p) => pushRow(p, logins.get(p.session_id)))];
}

/** The latest login-required reply of each session. */
function storedLoginPrompts(sessionIds: string[]): Prisma.Sql {
  return Prisma.sql`
    SELECT DISTINCT ON (session_id) session_id::text, prompt_message_id, turn FROM chat_log.replies
    WHERE session_id = ANY(${sessionIds}::uuid[]) AND login_required AND turn IS NOT NULL
    ORDER BY session_id, turn DESC`;
}
