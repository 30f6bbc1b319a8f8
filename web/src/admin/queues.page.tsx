import type { ConversationList, ConversationSummary } from '@chatbot/proto';
import { useEffect, useState } from 'preact/hooks';
import type { AuthSession } from '../lib/auth.session';
import type { Lang } from '../lib/i18n';
import { queue } from './handoff.api';
import { followAgentEvents } from './agent-events';
import { ConversationView } from './conversation.view';
import { consoleWords, type ConsoleWords } from './words';

const LISTS: ConversationList[] = ['pending', 'active', 'completed'];
const label = (c: ConsoleWords, list: ConversationList) => (list === 'pending' ? c.queuePending : list === 'active' ? c.queueActive : c.queueCompleted);
/** Events that come together (a message and its unread count) cause one read of the queues. */
const COALESCE_MS = 100;

/**
 * The three queues with unread badges and the chosen conversation, read again when the agents'
 * socket says something changed (and when it resumes after a drop), instead of on a timer.
 */
export function QueuesPage({ lang, auth }: { lang: Lang; auth: AuthSession }) {
  const c = consoleWords[lang];
  const [lists, setLists] = useState<Record<ConversationList, ConversationSummary[]>>({ pending: [], active: [], completed: [] });
  const [shown, setShown] = useState<ConversationList>('pending');
  const [chosen, setChosen] = useState<string | null>(null);
  const refresh = async () => {
    const answers = await Promise.all(LISTS.map((list) => queue(auth, list)));
    setLists((before) => Object.fromEntries(LISTS.map((list, i) => {
      const answer = answers[i]!;
      return [list, answer.ok ? answer.body.items : before[list]];
    })) as Record<ConversationList, ConversationSummary[]>);
  };
  useEffect(() => {
    void refresh();
    let pending: ReturnType<typeof setTimeout> | null = null;
    const stop = followAgentEvents(auth, (frame) => {
      // An erased conversation leaves at once, open or not: its owner took its text back.
      if (frame.type === 'session_removed') {
        setLists((before) => withoutSession(before, frame.session_id));
        setChosen((id) => (id === frame.session_id ? null : id));
      }
      pending ??= setTimeout(() => {
        pending = null;
        void refresh();
      }, COALESCE_MS);
    });
    return () => {
      stop();
      if (pending) clearTimeout(pending);
    };
  }, []);
  const all = LISTS.flatMap((list) => lists[list]);
  const current = chosen ? all.find((item) => item.session_id === chosen) : undefined;

  return (
    <section aria-labelledby="queues-heading" class="queues">
      <h2 id="queues-heading">{c.queues}</h2>
      <div class="queue-tabs" role="group" aria-label={c.queues}>
        {LISTS.map((list) => {
          const unread = lists[list].reduce((n, item) => n + item.unread, 0);
          return (
            <button key={list} type="button" aria-pressed={shown === list} onClick={() => setShown(list)} data-list={list}>
              {label(c, list)} <span class="count">({lists[list].length})</span>
              {unread > 0 && <span class="badge" aria-label={c.unread.replace('{n}', String(unread))}>{unread}</span>}
            </button>
          );
        })}
      </div>
      <div class="queue-layout">
        <QueueItems c={c} items={lists[shown]} chosen={chosen} onChoose={setChosen} />
        {current && <ConversationView key={current.session_id} lang={lang} auth={auth} item={current} onChanged={() => void refresh()} />}
      </div>
    </section>
  );
}

function withoutSession(lists: Record<ConversationList, ConversationSummary[]>, sessionId: string): Record<ConversationList, ConversationSummary[]> {
  return Object.fromEntries(LISTS.map((list) => [list, lists[list].filter((item) => item.session_id !== sessionId)])) as Record<ConversationList, ConversationSummary[]>;
}

function QueueItems({ c, items, chosen, onChoose }: { c: ConsoleWords; items: ConversationSummary[]; chosen: string | null; onChoose: (id: string) => void }) {
  if (items.length === 0) return <p class="muted queue-empty">{c.emptyQueue}</p>;
  return (
    <ul class="queue" aria-label={c.conversation}>
      {items.map((item) => (
        <li key={item.session_id} data-session-id={item.session_id}>
          <button type="button" class="open" aria-current={item.session_id === chosen ? 'true' : undefined} onClick={() => onChoose(item.session_id)}>
            <span class="queue-line">
              <code>{item.session_id.slice(0, 8)}</code>
              <span class="muted">{c[`status_${item.status}` as keyof ConsoleWords]}</span>
              {item.unread > 0 && <span class="badge" aria-label={c.unread.replace('{n}', String(item.unread))}>{item.unread}</span>}
            </span>
            {item.last_message && <span class="queue-last">{item.last_message.text}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}
