import type { HistoryItem } from '@chatbot/proto';
import type { Transcript, Turn } from './transcript';

/**
 * A conversation's stored history as the page's turns: a question and its answer share the
 * question's message id, as the live frames do, so a reply the socket replays after opening the
 * conversation lands on the turn already shown instead of adding one.
 */
export function turnsFromHistory(items: HistoryItem[]): Turn[] {
  return items.map((item): Turn => {
    if (item.role === 'user') {
      const attachments = (item.attachment_ids ?? []).map((id) => ({ id }));
      return { role: 'user', id: item.message_id, text: item.content, state: 'stored', ...(attachments.length > 0 ? { attachments } : {}) };
    }
    return {
      role: 'bot',
      id: item.message_id,
      text: item.content,
      done: true,
      typing: false,
      cards: item.card_list ?? [],
      related: item.related_questions ?? [],
      feedback: item.feedback ?? undefined,
      ...(item.role === 'agent' ? { agent: true } : {}),
    };
  });
}

/**
 * The entries of a page not shown yet, in page order. A question and its answer share a message
 * id, so an entry is named by its role and id (`key`).
 */
export function notShown<T>(shown: readonly T[], page: readonly T[], key: (entry: T) => string): T[] {
  const seen = new Set(shown.map(key));
  return page.filter((entry) => !seen.has(key(entry)));
}

const turnKey = (turn: Turn) => `${turn.role}:${turn.id}`;

/** An older page put before what is shown, without the turns already there. */
export function prependHistory(t: Transcript, older: Turn[]): Transcript {
  return { ...t, turns: [...notShown(t.turns, older, turnKey), ...t.turns] };
}

/** The newest page read again (after a resync): the turns not shown yet go at the end, in order. */
export function appendHistory(t: Transcript, latest: Turn[]): Transcript {
  return { ...t, turns: [...t.turns, ...notShown(t.turns, latest, turnKey)] };
}
