import type { ChatSummary, ChatSummaryResponse, SummaryTrigger } from '@chatbot/proto';
import type { Db } from '../store/database';
import type { Summary } from '../generated/prisma/client';

export type SummaryFields = Omit<ChatSummary, 'created_at'>;

/** null when chat-log does not know the conversation; false when this transition already has its summary. */
export async function saveSummary(db: Db, summary: SummaryFields): Promise<boolean | null> {
  const session = await db.session.findUnique({ where: { id: summary.session_id }, select: { id: true } });
  if (!session) return null;
  // ON CONFLICT DO NOTHING: a repeated job is an answer (stored: false), not an error.
  const { count } = await db.summary.createMany({
    data: [{
      sessionId: summary.session_id,
      trigger: summary.trigger,
      version: summary.version,
      issue: summary.issue,
      tried: summary.tried,
      open: summary.open,
      category: summary.category,
      source: summary.source,
    }],
    skipDuplicates: true,
  });
  return count === 1;
}

/** Every summary of a conversation, newest first; null when chat-log does not know it. */
export async function summariesOf(db: Db, sessionId: string): Promise<ChatSummaryResponse | null> {
  const session = await db.session.findUnique({
    where: { id: sessionId },
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
