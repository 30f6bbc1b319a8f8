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

/** An older page put before what is shown, without the turns already there. */
export function prependHistory(t: Transcript, older: Turn[]): Transcript {
  const shown = new Set(t.turns.map((turn) => `${turn.role}:${turn.id}`));
  return { ...t, turns: [...older.filter((turn) => !shown.has(`${turn.role}:${turn.id}`)), ...t.turns] };
}

/** The newest page read again (after a resync): the turns not shown yet go at the end, in order. */
export function appendHistory(t: Transcript, latest: Turn[]): Transcript {
  const shown = new Set(t.turns.map((turn) => `${turn.role}:${turn.id}`));
  return { ...t, turns: [...t.turns, ...latest.filter((turn) => !shown.has(`${turn.role}:${turn.id}`))] };
}
