import type { UploadLimitsResponse } from '@chatbot/proto';
import { useState } from 'preact/hooks';
import { words, type Lang } from '../lib/i18n';
import { addFiles, AttachmentPicker, type PendingFile, type StartUpload } from './attachment-picker';

export interface SentAttachment {
  id: string;
  name: string;
}

interface Props {
  lang: Lang;
  onSend: (text: string, attachments: SentAttachment[]) => void;
  limits: UploadLimitsResponse | null;
  /** Absent while the person cannot upload (not signed in, or no session yet). */
  upload?: StartUpload;
}

/**
 * The message box: Enter sends, Shift+Enter starts a new line. Files come from the file button or
 * are dropped anywhere on the box; the message waits until every upload is done, and a message of
 * files alone is sent with their names as its text (a message is never empty).
 */
export function Composer({ lang, onSend, limits, upload }: Props) {
  const [text, setText] = useState('');
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [dragging, setDragging] = useState(false);
  const w = words[lang];
  const uploaded = files.filter((f): f is PendingFile & { id: string } => f.id !== undefined);
  const busy = files.some((f) => f.id === undefined && f.error === undefined);
  const canSend = !busy && (text.trim() !== '' || uploaded.length > 0);
  const submit = (event?: Event) => {
    event?.preventDefault();
    if (!canSend) return;
    const attachments = uploaded.map((f) => ({ id: f.id, name: f.name }));
    onSend(text.trim() || attachments.map((a) => a.name).join(', '), attachments);
    setText('');
    setFiles([]);
  };
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const dropped = [...(event.dataTransfer?.files ?? [])];
    if (upload && dropped.length > 0) addFiles(dropped, { limits, start: upload, onFiles: setFiles, lang });
  };
  return (
    <form class={`composer${dragging ? ' dragging' : ''}`} onSubmit={submit}
      onDragOver={(e) => { if (upload) { e.preventDefault(); setDragging(true); } }}
      onDragLeave={() => setDragging(false)} onDrop={drop}>
      {dragging && <p class="drop-hint" aria-hidden="true">{w.dropHere}</p>}
      <AttachmentPicker lang={lang} limits={limits} start={upload} files={files} onFiles={setFiles} />
      <div class="composer-row">
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
        <button type="submit" disabled={!canSend}>{w.send}</button>
      </div>
    </form>
  );
}
