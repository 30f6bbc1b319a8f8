import type { Conversation } from '@chatbot/proto';
import { useEffect, useState } from 'preact/hooks';
import type { AuthSession } from '../lib/auth.session';
import { deleteConversation, listConversations, renameConversation } from '../lib/conversations.api';
import { words, type Lang, type Words } from '../lib/i18n';

interface Props {
  lang: Lang;
  auth: AuthSession;
  /** The conversation on screen, marked in the list. */
  currentId?: string;
  onOpen: (conversation: Conversation) => void;
  /** A conversation was deleted (the page starts a new one when it was the current). */
  onDeleted: (id: string) => void;
  onClose: () => void;
}

const PAGE = 20;

/** The signed-in person's conversations, newest first, a page at a time: open, rename, delete. */
export function ConversationList({ lang, auth, currentId, onOpen, onDeleted, onClose }: Props) {
  const w = words[lang];
  const [items, setItems] = useState<Conversation[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState('');
  const load = async (offset: number) => {
    const answer = await listConversations(auth, offset, PAGE);
    if (!answer.ok) return setError(w.listFailed.replace('{code}', answer.code));
    setItems((shown) => [...(offset === 0 ? [] : shown), ...answer.body.sessions]);
    setTotal(answer.body.total_sessions);
  };
  useEffect(() => void load(0), []);

  const rename = async (id: string, title: string) => {
    const answer = await renameConversation(auth, id, title);
    if (answer.ok) setItems((shown) => shown.map((c) => (c.session_id === id ? answer.body : c)));
    else setError(w.listFailed.replace('{code}', answer.code));
  };
  const remove = async (id: string) => {
    const answer = await deleteConversation(auth, id);
    if (!answer.ok) return setError(w.listFailed.replace('{code}', answer.code));
    setItems((shown) => shown.filter((c) => c.session_id !== id));
    setTotal((n) => n - 1);
    onDeleted(id);
  };

  return (
    <section id="conversations-panel" class="panel" aria-labelledby="conversations-heading" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div class="panel-head">
        <h2 id="conversations-heading">{w.conversations}</h2>
        <button type="button" class="quiet" onClick={onClose}>{w.close}</button>
      </div>
      <p class="form-error" role="alert">{error}</p>
      {items.length === 0 && !error && <p class="muted">{w.noConversations}</p>}
      <ul class="conversations">
        {items.map((c) => (
          <ConversationRow key={c.session_id} w={w} lang={lang} conversation={c} current={c.session_id === currentId}
            onOpen={() => onOpen(c)} onRename={(title) => rename(c.session_id, title)} onDelete={() => remove(c.session_id)} />
        ))}
      </ul>
      {items.length < total && <button type="button" class="quiet" onClick={() => void load(items.length)}>{w.more}</button>}
    </section>
  );
}

interface RowProps {
  w: Words;
  lang: Lang;
  conversation: Conversation;
  current: boolean;
  onOpen: () => void;
  onRename: (title: string) => Promise<void>;
  onDelete: () => Promise<void>;
}

function ConversationRow({ w, lang, conversation, current, onOpen, onRename, onDelete }: RowProps) {
  const [mode, setMode] = useState<'show' | 'rename' | 'delete'>('show');
  const [title, setTitle] = useState(conversation.title ?? '');
  const name = conversation.title ?? w.untitled;
  const updated = new Date(conversation.updated_at).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
  if (mode === 'rename') {
    const save = async (event: Event) => {
      event.preventDefault();
      await onRename(title.trim());
      setMode('show');
    };
    return (
      <li class="conversation">
        <form class="rename" onSubmit={save}>
          <label>{w.titleLabel}<input value={title} required maxLength={200} ref={(input) => input?.focus()} onInput={(e) => setTitle(e.currentTarget.value)} /></label>
          <button type="submit" class="primary" disabled={!title.trim()}>{w.save}</button>
          <button type="button" onClick={() => setMode('show')}>{w.close}</button>
        </form>
      </li>
    );
  }
  return (
    <li class="conversation" data-session-id={conversation.session_id} aria-current={current ? 'true' : undefined}>
      <button type="button" class="open" onClick={onOpen}>
        <span class="conversation-title">{name}</span>
        <small class="muted">{current ? `${w.current} · ` : ''}{updated}</small>
      </button>
      {mode === 'delete' ? (
        <span class="confirm" role="group" aria-label={w.deleteConfirm}>
          <span>{w.deleteConfirm}</span>
          <button type="button" class="danger" onClick={() => void onDelete()}>{w.yesDelete}</button>
          <button type="button" onClick={() => setMode('show')}>{w.close}</button>
        </span>
      ) : (
        <span class="row-tools">
          <button type="button" class="quiet" aria-label={`${w.rename}: ${name}`} onClick={() => setMode('rename')}>{w.rename}</button>
          <button type="button" class="quiet" aria-label={`${w.delete}: ${name}`} onClick={() => setMode('delete')}>{w.delete}</button>
        </span>
      )}
    </li>
  );
}
