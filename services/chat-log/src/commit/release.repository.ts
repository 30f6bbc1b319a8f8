import { Prisma } from '../generated/prisma/client';
import type { Db } from '../store/database';
import type { Tx } from '../store/sql';
import { bySessionThenSeq, RELEASED_COLUMNS, type ReleasedReply } from '../frames/frame.mapper';
import { queueForPublish } from '../frames/outbox.repository';
import type { ReplyRow } from './reply-row.mapper';
import { planRelease, type SessionCursor, type Unreleased } from './reply.planner';

// Releasing replies in turn order. All but findOverdueTurns run inside a commit transaction that
// holds the sessions' locks. A release also sets the deprecated `published_at` (migration 002), so
// the previous release's outbox, running next to this one during an upgrade, leaves it alone.

/** Committed replies of these sessions still waiting for an earlier turn. */
export function unreleasedTurns(sessionIds: string[]): Prisma.Sql {
  return Prisma.sql`
    SELECT id::text, session_id::text AS "sessionId", turn, kind = 'handed' AS silent FROM chat_log.replies
    WHERE session_id = ANY(${[...new Set(sessionIds)]}::uuid[]) AND seq IS NULL AND released_at IS NULL AND turn IS NOT NULL
    ORDER BY session_id, turn`;
}

export interface ReleaseOptions {
  /** The sessions' unreleased turns (unreleasedTurns), when the caller read them with its lock. */
  waiting?: Unreleased[];
  /** Commits the transaction in the same round trip as the writes. */
  commit?: boolean;
}

/**
 * Inserts `rows` into sessions whose rows the caller locked (`cursors`: their counters as read),
 * releasing what becomes releasable in turn order: new rows next in turn are inserted released,
 * earlier rows they unblock are updated, handed rows are released without a seq. Released frames
 * are queued in the outbox. Every write goes in one round trip. Returns the released frames by
 * session then seq.
 */
export async function insertAndRelease(tx: Tx, cursors: Map<string, SessionCursor>, rows: ReplyRow[], options: ReleaseOptions = {}): Promise<ReleasedReply[]> {
  const waiting = options.waiting ?? (cursors.size === 0 ? [] : ((await tx.batch([unreleasedTurns([...cursors.keys()])]))[0] as Unreleased[]));
  const newOnes = rows.map((r) => ({ id: r.id, sessionId: r.session_id, turn: r.turn ?? null, silent: r.kind === 'handed' }));
  const plan = planRelease(cursors, [...waiting, ...newOnes]);
  const seqOf = new Map(plan.assignments.map((a) => [a.id, a.seq]));
  const settled = new Set(plan.settled);
  const sessionOf = new Map([...waiting, ...newOnes].map((r) => [r.id, r.sessionId]));
  const unblocked = waiting.flatMap((w) => (seqOf.has(w.id) ? [{ id: w.id, seq: seqOf.get(w.id)! }] : []));
  const settledWaiting = waiting.filter((w) => settled.has(w.id)).map((w) => w.id);
  const statements = {
    inserted: rows.length > 0 ? insertReplies(rows.map((r) => ({ ...r, seq: seqOf.get(r.id), settled: settled.has(r.id) }))) : null,
    unblocked: unblocked.length > 0 ? releaseWaiting(unblocked) : null,
    settled: settledWaiting.length > 0 ? settleWaiting(settledWaiting) : null,
    cursors: plan.cursors.size > 0 ? moveCursors(plan.cursors) : null,
    outbox: plan.assignments.length > 0 ? queueForPublish(plan.assignments.map((a) => ({ sessionId: sessionOf.get(a.id)!, seq: a.seq }))) : null,
  };
  const sent = Object.entries(statements).filter((e): e is [string, Prisma.Sql] => e[1] !== null);
  if (sent.length === 0 && !options.commit) return [];
  const results = new Map((await tx.batch(sent.map(([, statement]) => statement), { commit: options.commit })).map((r, i) => [sent[i][0], r]));
  const inserted = ((results.get('inserted') ?? []) as Array<ReleasedReply & { seq: number | null }>).filter((row): row is ReleasedReply => row.seq !== null);
  return [...inserted, ...((results.get('unblocked') ?? []) as ReleasedReply[])].sort(bySessionThenSeq);
}

/** Handed rows an earlier turn held back: released now, still without a seq. */
function settleWaiting(ids: string[]): Prisma.Sql {
  return Prisma.sql`UPDATE chat_log.replies SET released_at = now() WHERE id = ANY(${ids}::uuid[])`;
}

/**
 * Inserts new replies; those with a seq are released as they are inserted and returned (a
 * `settled` handed row is released too, without a seq).
 */
function insertReplies(rows: ReplyRow[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO chat_log.replies AS r (id, session_id, kind, prompt_message_id, turn, reply_id, frame_message_id,
      message, login_required, card_list, related_questions, tool_name, usage, source, error_code, seq, released_at,
      published_at, sender, announces_status, after_turn)
    SELECT id, session_id, kind, prompt_message_id, turn, reply_id, frame_message_id,
      message, login_required, card_list, related_questions, tool_name, usage, source, error_code,
      seq, CASE WHEN seq IS NULL AND settled IS NOT TRUE THEN NULL ELSE now() END, CASE WHEN seq IS NULL THEN NULL ELSE now() END,
      sender, announces_status, after_turn
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS src(id uuid, session_id uuid,
      kind chat_log.reply_kind, prompt_message_id text, turn int, reply_id text, frame_message_id text,
      message text, login_required boolean, card_list jsonb, related_questions jsonb, tool_name text,
      usage jsonb, source text, error_code text, seq int, settled boolean, sender text, announces_status text, after_turn int)
    RETURNING ${RELEASED_COLUMNS}`;
}

/** Releases replies committed earlier that the new ones unblocked. */
function releaseWaiting(assignments: Array<{ id: string; seq: number }>): Prisma.Sql {
  return Prisma.sql`
    UPDATE chat_log.replies r SET seq = a.seq, released_at = now(), published_at = now()
    FROM unnest(${assignments.map((a) => a.id)}::uuid[], ${assignments.map((a) => a.seq)}::int[]) AS a(id, seq)
    WHERE r.id = a.id
    RETURNING ${RELEASED_COLUMNS}`;
}

/** A session with every stored turn released leaves `waiting_sessions` by a trigger (migration 003). */
function moveCursors(cursors: Map<string, SessionCursor>): Prisma.Sql {
  const ids = [...cursors.keys()];
  const turns = [...cursors.values()].map((c) => c.releasedTurn);
  const seqs = [...cursors.values()].map((c) => c.lastSeq);
  return Prisma.sql`
    UPDATE chat_log.sessions s SET released_turn = c.released_turn, last_seq = c.last_seq
    FROM unnest(${ids}::uuid[], ${turns}::int[], ${seqs}::int[]) AS c(id, released_turn, last_seq)
    WHERE s.id = c.id`;
}

export interface OverdueTurn {
  sessionId: string;
  messageId: string;
  turn: number;
}

/**
 * Sessions whose next turn to release has waited longer than the deadline: counted from when
 * the message was stored or the previous turn was released, whichever is later, because a
 * session's messages are answered one after another.
 */
export function findOverdueTurns(db: Db, deadlineMs: number, limit: number): Promise<OverdueTurn[]> {
  return db.$queryRaw<OverdueTurn[]>`
    SELECT s.id::text AS "sessionId", m.message_id AS "messageId", m.turn
    FROM chat_log.waiting_sessions w
    JOIN chat_log.sessions s ON s.id = w.session_id
    JOIN chat_log.messages m ON m.session_id = s.id AND m.turn = s.released_turn + 1
    LEFT JOIN chat_log.replies p ON p.session_id = s.id AND p.turn = s.released_turn
    WHERE s.next_turn > s.released_turn + 1
      AND GREATEST(m.stored_at, p.released_at) < now() - ${deadlineMs}::int * interval '1 millisecond'
    ORDER BY m.stored_at LIMIT ${limit}::int`;
}
