import { useState } from 'preact/hooks';
import { words, type Lang } from '../lib/i18n';

/** The message box: Enter sends, Shift+Enter starts a new line. */
export function Composer({ lang, onSend }: { lang: Lang; onSend: (text: string) => void }) {
  const [text, setText] = useState('');
  const w = words[lang];
  const submit = (event?: Event) => {
    event?.preventDefault();
    const message = text.trim();
    if (!message) return;
    onSend(message);
    setText('');
  };
  return (
    <form class="composer" onSubmit={submit}>
      <label for="message" class="visually-hidden">{w.input}</label>
      <textarea
        id="message"
        rows={2}
        maxLength={4000}
        placeholder={w.placeholder}
        value={text}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e);
        }}
      />
      <button type="submit" disabled={!text.trim()}>{w.send}</button>
    </form>
  );
}
