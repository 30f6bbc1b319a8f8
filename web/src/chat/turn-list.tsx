import { useEffect, useRef } from 'preact/hooks';
import { words, type Lang, type Words } from '../lib/i18n';
import type { BotTurn, Turn, UserTurn } from '../lib/transcript';

interface Props {
  turns: Turn[];
  lang: Lang;
  onAsk: (text: string) => void;
  onRate: (id: string, helpful: boolean | null, before: boolean | null | undefined) => void;
  /** Older messages exist (an opened conversation): a button loads them. */
  onOlder?: () => void;
  /** Downloads an attachment of the person's (it needs their token, so it is no plain link). */
  onDownload: (id: string, name: string) => void;
}

/** The conversation, newest at the bottom; a live region so screen readers hear the answers. */
export function TurnList({ turns, lang, onAsk, onRate, onOlder, onDownload }: Props) {
  const w = words[lang];
  const end = useRef<HTMLLIElement>(null);
  const newest = turns.at(-1);
  // follow the newest turn, not an older page put on top
  useEffect(() => end.current?.scrollIntoView?.({ block: 'end' }), [newest]);
  return (
    <section class="transcript" aria-label={w.transcript}>
      {onOlder && <button type="button" class="quiet older" onClick={onOlder}>{w.older}</button>}
      {turns.length === 0 && <p class="muted empty">{w.empty}</p>}
      <div role="log" aria-live="polite">
      <ol>
        {turns.map((turn) =>
          turn.role === 'user' ? (
            <UserView key={`u-${turn.id}`} turn={turn} w={w} onDownload={onDownload} />
          ) : turn.role === 'bot' ? (
            <BotView key={`b-${turn.id}`} turn={turn} w={w} onAsk={onAsk} onRate={onRate} />
          ) : (
            <li key={turn.id} class="notice" data-code={turn.code}>
              {turn.text ?? (turn.code.startsWith('resync') ? w.resync : `${w.error} (${turn.code})`)}
            </li>
          ),
        )}
        <li ref={end} class="end" aria-hidden="true" />
      </ol>
      </div>
    </section>
  );
}

function UserView({ turn, w, onDownload }: { turn: UserTurn; w: Words; onDownload: Props['onDownload'] }) {
  const notice = turn.notice && (w[turn.notice as keyof Words] ?? `${w.error} (${turn.notice})`);
  return (
    <li class="turn user" data-message-id={turn.id} data-state={turn.state}>
      <span class="visually-hidden">{w.you}: </span>
      <p class="bubble">{turn.text}</p>
      {turn.attachments && (
        <ul class="files" aria-label={w.attachment}>
          {turn.attachments.map((file, i) => (
            <li key={file.id}>
              <a href={`/api/chats/attachments/${file.id}`} class="file-link" data-attachment-id={file.id}
                onClick={(e) => { e.preventDefault(); onDownload(file.id, file.name ?? `${w.attachment} ${i + 1}`); }}>
                {file.name ?? `${w.attachment} ${i + 1}`}
              </a>
            </li>
          ))}
        </ul>
      )}
      <small class="state">{w[turn.state]}</small>
      {notice && <small class="state notice-text">{notice}</small>}
    </li>
  );
}

function BotView({ turn, w, onAsk, onRate }: { turn: BotTurn; w: Words } & Pick<Props, 'onAsk' | 'onRate'>) {
  return (
    <li class={`turn bot${turn.agent ? ' agent' : ''}`} data-message-id={turn.id} data-done={String(turn.done)}>
      {turn.agent ? <small class="sender">{w.agent}</small> : <span class="visually-hidden">{w.bot}: </span>}
      {turn.text && <p class="bubble">{turn.text}</p>}
      {turn.typing && !turn.done && (
        <p class="typing" aria-label={w.typing}>
          <span /> <span /> <span />
        </p>
      )}
      {turn.cards.length > 0 && (
        <ul class="cards" aria-label={w.cards}>
          {turn.cards.map((card) => (
            <li key={card} class="card">
              <span class="card-chip" aria-hidden="true" />
              {card}
            </li>
          ))}
        </ul>
      )}
      {turn.related.length > 0 && (
        <div class="related" role="group" aria-label={w.related}>
          {turn.related.map((question) => (
            <button key={question} type="button" onClick={() => onAsk(question)}>{question}</button>
          ))}
        </div>
      )}
      {turn.done && <Feedback turn={turn} w={w} onRate={onRate} />}
    </li>
  );
}

function Feedback({ turn, w, onRate }: { turn: BotTurn; w: Words; onRate: Props['onRate'] }) {
  const toggle = (helpful: boolean) => onRate(turn.id, turn.feedback === helpful ? null : helpful, turn.feedback);
  return (
    <div class="feedback">
      <button type="button" aria-pressed={turn.feedback === true} aria-label={w.helpful} title={w.helpful} onClick={() => toggle(true)}>
        <Thumb />
      </button>
      <button type="button" aria-pressed={turn.feedback === false} aria-label={w.notHelpful} title={w.notHelpful} onClick={() => toggle(false)}>
        <Thumb down />
      </button>
      {turn.feedbackFailed && <small role="alert">{w.feedbackFailed}</small>}
    </div>
  );
}

/** Drawn, not an emoji: phones and servers without an emoji font would show empty boxes. */
function Thumb({ down = false }: { down?: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" class={down ? 'thumb down' : 'thumb'}>
      <path d="M2 10h4v11H2zM8 21h9.2a2 2 0 0 0 2-1.6l1.7-7A2 2 0 0 0 19 10h-5.3l.8-4.2a1.6 1.6 0 0 0-2.9-1.2L8 10z" fill="currentColor" />
    </svg>
  );
}
