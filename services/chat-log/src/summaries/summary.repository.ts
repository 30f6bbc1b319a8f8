import type { ChatSummary, ChatSummaryResponse, SummaryTrigger } from '@chatbot/proto';
import type { Db } from '../store/database';
import type { Summary } from '../generated/prisma/client';

export type SummaryFields = Omit<ChatSummary, 'created_at'>;

/**
 * null when chat-log does not know the conversation (or it was deleted: a job in flight must not
 * bring text back); false when this transition already has its summary. The insert reads the
 * session row FOR SHARE, so it and a delete (which locks the row FOR UPDATE) run one after the
 * other: either the delete erases this summary, or this insert sees the tombstone and adds nothing.
 */
export async function saveSummary(db: Db, summary: SummaryFields): Promise<boolean | null> {
  const inserted = await db.$executeRaw`
    INSERT INTO chat_log.summaries (session_id, trigger, version, issue, tried, open, category, source)
    SELECT s.id, ${summary.trigger}, ${summary.version}::int, ${summary.issue}, ${summary.tried}, ${summary.open}, ${summary.category}, ${summary.source}
    FROM chat_log.sessions s WHERE s.id = ${summary.session_id}::uuid AND s.deleted_at IS NULL FOR SHARE
    ON CONFLICT DO NOTHING`;
  if (inserted === 1) return true;
  const live = await db.session.count({ where: { id: summary.session_id, deletedAt: null } });
  return live === 1 ? false : null;
}

/** Every summary of a conversation, newest first; null when chat-log does not know it or it was deleted. */
export async function summariesOf(db: Db, sessionId: string): Promise<ChatSummaryResponse | null> {
  const session = await db.session.findFirst({
    where: { id: sessionId, deletedAt: null },
    select: { summaries: { orderBy: [{ version: 'desc' }, { createdAt: 'desc' }] } },
  });
  if (!session) return null;
  const history = session.summaries.map(toSummary);
  return { session_id: sessionId, summary: history[0] ?? null, history };
}

function toSummary(row: Summary): ChatSummary {
  return {
    session_id: row.sessionId,
    trigger: row.trigger as SummaryTrigger,
    version: row.version,
    issue: row.issue,
    tried: row.tried,
    open: row.open,
    category: row.category,
    source: row.source as ChatSummary['source'],
    created_at: row.createdAt.toISOString(),
  };
}
