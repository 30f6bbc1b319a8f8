import type { AgentHistoryItem, ConversationSummary } from '@chatbot/proto';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ApiResult } from '../lib/auth.api';
import type { AuthSession } from '../lib/auth.session';
import { words, type Lang } from '../lib/i18n';
import { AttachmentView } from './attachment.view';
import { useConversationHistory } from './conversation-history';
import { sendAgentMessage, transition, type Transition } from './handoff.api';
import { SummaryBox } from './summary.box';
import { consoleWords, when, type ConsoleWords } from './words';

interface Props {
  lang: Lang;
  auth: AuthSession;
  item: ConversationSummary;
  /** A change was made: the queues are read again. */
  onChanged: () => void;
}

/**
 * One conversation: its status and holder, its whole history (the newest page first, older pages
 * when the agent scrolls to the top or asks; what arrives is added whenever the queues are read
 * again, which the agents' socket causes), the customer's attachments, and what the agent may do
 * in its status: take over, send a message, provide information, release, complete.
 */
export function ConversationView({ lang, auth, item, onChanged }: Props) {
  const c = consoleWords[lang];
  const history = useConversationHistory(auth, item.session_id, `${item.last_message?.at}|${item.version}|${item.unread}`);
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const me = auth.account?.id;
  const mine = item.status === 'agent' && item.holder_id === me;

  const settle = (answer: ApiResult<unknown>) => {
    if (answer.ok) {
      setError('');
      onChanged();
      return true;
    }
    setError(answer.reason ? c[`conflict_${answer.reason}` as keyof ConsoleWords] : c.requestFailed.replace('{code}', answer.code));
    onChanged();
    return false;
  };
  const act = async (action: Transition, message?: string) => settle(await transition(auth, item.session_id, action, message ? { message } : {}));
  const send = async (event: Event) => {
    event.preventDefault();
    const message = text.trim();
    if (message && settle(await sendAgentMessage(auth, item.session_id, { message }))) setText('');
  };
  const provide = async () => {
    const message = text.trim();
    if (message && (await act('provide-info', message))) setText('');
  };

  return (
    <article class="conversation-view" aria-labelledby="conversation-heading" data-status={item.status}>
      <h3 id="conversation-heading">{c.conversation} <code>{item.session_id.slice(0, 8)}</code></h3>
      <p class="conversation-status">
        {c[`status_${item.status}` as keyof ConsoleWords]}
        {item.status === 'agent' && <> · {mine ? c.heldByMe : c.heldByOther}</>}
      </p>
      <SummaryBox c={c} auth={auth} sessionId={item.session_id} />
      <HistoryList lang={lang} c={c} auth={auth} history={history} />
      <p class="form-error" role="alert">{error}</p>
      <div class="actions">
        {(item.status === 'bot' || item.status === 'waiting') && <button type="button" class="primary" onClick={() => void act('takeover')}>{c.takeover}</button>}
        {mine && <button type="button" onClick={() => void act('release')}>{c.release}</button>}
        {item.status !== 'completed' && (item.status !== 'agent' || mine) && <button type="button" onClick={() => void act('complete')}>{c.complete}</button>}
      </div>
      {(mine || item.status === 'waiting') && (
        <form class="fields" onSubmit={send}>
          <label>{c.agentMessage}<textarea rows={3} maxLength={4000} value={text} onInput={(e) => setText(e.currentTarget.value)} /></label>
          <div class="actions">
            {mine && <button type="submit" class="primary" disabled={!text.trim()}>{c.sendMessage}</button>}
            <button type="button" disabled={!text.trim()} onClick={() => void provide()}>{c.provideInfo}</button>
          </div>
        </form>
      )}
    </article>
  );
}

/** Who wrote an entry, by the names the queues use (the assistant is the bot). */
const senderOf = (entry: AgentHistoryItem) => (entry.role === 'assistant' ? 'bot' : entry.role);

function HistoryList({ lang, c, auth, history }: { lang: Lang; c: ConsoleWords; auth: AuthSession; history: ReturnType<typeof useConversationHistory> }) {
  const list = useRef<HTMLOListElement>(null);
  const nearBottom = useRef(true);
  const before = useRef({ first: '', height: 0 });
  const first = history.entries[0] ? `${history.entries[0].role}:${history.entries[0].message_id}` : '';
  // An older page keeps the agent's place; a new message scrolls into view when the agent was at the end.
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    if (before.current.first && first !== before.current.first) el.scrollTop += el.scrollHeight - before.current.height;
    else if (nearBottom.current) el.scrollTop = el.scrollHeight;
    before.current = { first, height: el.scrollHeight };
  }, [history.entries]);
  const scrolled = () => {
    const el = list.current!;
    nearBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 8) void history.older();
  };
  return (
    <>
      {history.olderCursor && (
        <button type="button" class="quiet older" disabled={history.loadingOlder} onClick={() => void history.older()}>{words[lang].older}</button>
      )}
      <ol ref={list} class="said" aria-label={c.conversationHistory} aria-live="polite" tabIndex={0} onScroll={scrolled}>
        {history.entries.map((entry) => (
          <li key={`${entry.role}:${entry.message_id}`} class={`said-${senderOf(entry)}`} data-message-id={entry.message_id}>
            <small class="muted">{c[`sender_${senderOf(entry)}` as keyof ConsoleWords]} · {when(lang, entry.created_at)}</small>
            <p>{entry.content}</p>
            {entry.attachments && (
              <ul class="files" aria-label={words[lang].attachment}>
                {entry.attachments.map((file) => <AttachmentView key={file.attachment_id} c={c} auth={auth} file={file} />)}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {history.failed && <p class="form-error" role="alert">{c.requestFailed.replace('{code}', history.failed)}</p>}
    </>
  );
}
