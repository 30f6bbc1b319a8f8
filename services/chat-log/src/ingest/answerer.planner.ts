import type { ConversationStatus } from '@chatbot/proto';

/** What the store transaction read of a session under its lock. */
export interface ConversationRow {
  status: ConversationStatus;
  version: number;
}

/** What happens to a message stored on a completed conversation (COMPLETED_MESSAGES). */
export type CompletedPolicy = 'reopen' | 'new_conversation';

export interface HandoffRules {
  /**
   * Lower-case phrases that move a `bot` conversation to `waiting`: the saved chatbot settings'
   * keywords, or HANDOFF_KEYWORDS before any save (settings/handoff-keywords.ts).
   */
  keywords: string[];
  onCompleted: CompletedPolicy;
}

export interface NewMessage {
  sessionId: string;
  messageId: string;
  turn: number;
  text: string;
}

export interface AnswererPlan {
  /** Message ids the assistant answers (chat.stored). */
  bot: Set<string>;
  /** Messages handed to an agent, with the status they were stored under. */
  handed: Array<NewMessage & { status: 'waiting' | 'agent' }>;
  /** Sessions whose status the batch changed: the status it ends in and the version it read. */
  changes: Map<string, { status: ConversationStatus; fromVersion: number; steps: number }>;
  /** Status changes told to the user, in order, each after a turn. */
  announcements: Array<{ sessionId: string; status: ConversationStatus; afterTurn: number }>;
}

/**
 * Decides, in turn order and with the status read under the lock that hands out the turns, who
 * answers each new message: the assistant in `bot`, an agent in `waiting` and `agent`. A message
 * with a handoff keyword moves a `bot` conversation to `waiting` and is itself handed; a message
 * on a `completed` conversation reopens it (to `bot`) when the policy says so (otherwise it was
 * refused before it got a turn). A change applies to the messages after it in the same batch.
 */
export function planAnswerers(messages: NewMessage[], rows: ReadonlyMap<string, ConversationRow>, rules: HandoffRules): AnswererPlan {
  const plan: AnswererPlan = { bot: new Set(), handed: [], changes: new Map(), announcements: [] };
  const status = new Map([...rows].map(([id, row]) => [id, row.status]));
  const move = (sessionId: string, to: ConversationStatus, afterTurn: number) => {
    const before = plan.changes.get(sessionId);
    plan.changes.set(sessionId, { status: to, fromVersion: rows.get(sessionId)?.version ?? 0, steps: (before?.steps ?? 0) + 1 });
    plan.announcements.push({ sessionId, status: to, afterTurn });
    status.set(sessionId, to);
  };
  for (const message of messages) {
    const { sessionId, turn } = message;
    if (status.get(sessionId) === 'completed' && rules.onCompleted === 'reopen') move(sessionId, 'bot', turn - 1);
    const now = status.get(sessionId) ?? 'bot';
    if (now === 'bot' && asksForPerson(message.text, rules.keywords)) move(sessionId, 'waiting', turn);
    const after = status.get(sessionId) ?? 'bot';
    if (after === 'waiting' || after === 'agent') plan.handed.push({ ...message, status: after });
    else plan.bot.add(message.messageId);
  }
  return plan;
}

export function asksForPerson(text: string, keywords: string[]): boolean {
  if (keywords.length === 0) return false;
  const lower = text.toLowerCase();
  return keywords.some((keyword) => lower.includes(keyword));
}
