import type { ConversationSummary } from '@chatbot/proto';
import { useEffect, useState } from 'preact/hooks';
import type { ApiResult } from '../lib/auth.api';
import type { AuthSession } from '../lib/auth.session';
import type { Lang } from '../lib/i18n';
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

type Said = NonNullable<ConversationSummary['last_message']>;

/**
 * One conversation: its status and holder, its messages as they arrive while it is open (the
 * agents' API gives the latest message of a conversation, not its whole history), and what the
 * agent may do in its status: take over, send a message, provide information, release, complete.
 */
export function ConversationView({ lang, auth, item, onChanged }: Props) {
  const c = consoleWords[lang];
  const [said, setSaid] = useState<Said[]>([]);
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const me = auth.account?.id;
  const mine = item.status === 'agent' && item.holder_id === me;
  useEffect(() => {
    const last = item.last_message;
    if (last) setSaid((list) => (list.some((s) => s.at === last.at && s.text === last.text) ? list : [...list, last]));
  }, [item.last_message?.at]);

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
      <ol class="said" aria-label={c.lastMessage} aria-live="polite">
        {said.map((s) => (
          <li key={`${s.at}-${s.text}`} class={`said-${s.sender}`}>
            <small class="muted">{c[`sender_${s.sender}` as keyof ConsoleWords]} · {when(lang, s.at)}</small>
            <p>{s.text}</p>
          </li>
        ))}
      </ol>
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
