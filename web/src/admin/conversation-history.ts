import type { AgentHistoryItem, AgentHistoryPage } from '@chatbot/proto';
import { useEffect, useState } from 'preact/hooks';
import type { AuthSession } from '../lib/auth.session';
import { notShown } from '../lib/history';
import { historyPage } from './handoff.api';

export interface Shown {
  entries: AgentHistoryItem[];
  /** Reads the entries before the first shown; null when the first shown is the conversation's first. */
  olderCursor: string | null;
}

const keyOf = (entry: AgentHistoryItem) => `${entry.role}:${entry.message_id}`;

/**
 * The newest page merged into what is shown: the entries not shown yet go at the end. When none of
 * it was shown and older entries exist, more arrived than a page holds: the page replaces what is
 * shown (the gap would otherwise stay hidden) and older pages continue from it.
 */
export function withNewest(shown: Shown, page: AgentHistoryPage): Shown {
  const added = notShown(shown.entries, page.messages, keyOf);
  const gap = shown.entries.length > 0 && added.length === page.messages.length && page.next_cursor !== null;
  if (shown.entries.length === 0 || gap) return { entries: page.messages, olderCursor: page.next_cursor };
  return { ...shown, entries: [...shown.entries, ...added] };
}

/** An older page put before what is shown. */
export const withOlder = (shown: Shown, page: AgentHistoryPage): Shown => ({
  entries: [...notShown(shown.entries, page.messages, keyOf), ...shown.entries],
  olderCursor: page.next_cursor,
});

/**
 * A conversation's history for the console: the newest page when it opens and again whenever
 * `changed` changes (the queues were read again because the agents' socket told of something),
 * older pages on request.
 */
export function useConversationHistory(auth: AuthSession, sessionId: string, changed: unknown) {
  const [shown, setShown] = useState<Shown>({ entries: [], olderCursor: null });
  const [failed, setFailed] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  useEffect(() => {
    void historyPage(auth, sessionId).then((answer) => {
      if (answer.ok) setShown((before) => withNewest(before, answer.body));
      setFailed(answer.ok ? null : answer.code);
    });
  }, [sessionId, changed]);
  const older = async () => {
    if (!shown.olderCursor || loadingOlder) return;
    setLoadingOlder(true);
    const answer = await historyPage(auth, sessionId, shown.olderCursor);
    if (answer.ok) setShown((before) => withOlder(before, answer.body));
    setFailed(answer.ok ? null : answer.code);
    setLoadingOlder(false);
  };
  return { ...shown, failed, loadingOlder, older };
}
