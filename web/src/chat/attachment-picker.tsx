import type { UploadLimitsResponse } from '@chatbot/proto';
import { useRef } from 'preact/hooks';
import { formatBytes, type Upload } from '../lib/attachments.api';
import { fill, words, type Lang } from '../lib/i18n';

/** A file on its way up or uploaded, as the composer shows it. */
export interface PendingFile {
  key: number;
  name: string;
  /** 0–1 while uploading. */
  progress: number;
  /** Set once uploaded. */
  id?: string;
  error?: string;
  cancel?: () => void;
}

export type StartUpload = (file: File, progress: (fraction: number) => void) => Upload;

interface Props {
  lang: Lang;
  limits: UploadLimitsResponse | null;
  /** Absent while the person is not signed in (uploads need an account). */
  start?: StartUpload;
  files: PendingFile[];
  onFiles: (update: (files: PendingFile[]) => PendingFile[]) => void;
}

let nextKey = 0;

/**
 * The file button (a real button, so the keyboard reaches it) and the list of files with their
 * progress. The size limit is shown before anything is chosen, and a file over it is refused here,
 * before a byte is sent (the gateway refuses it too, 413).
 */
export function AttachmentPicker({ lang, limits, start, files, onFiles }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const w = words[lang];
  const size = limits ? formatBytes(limits.max_bytes) : '';
  return (
    <div class="attachments">
      <input ref={input} id="attachment-input" type="file" class="visually-hidden" tabIndex={-1} aria-hidden="true"
        accept={limits?.types.join(',')} onChange={(e) => {
          const chosen = (e.currentTarget as HTMLInputElement).files;
          if (chosen && start) addFiles([...chosen], { limits, start, onFiles, lang });
          (e.currentTarget as HTMLInputElement).value = '';
        }} />
      <button type="button" class="quiet attach" disabled={!start} aria-describedby="attachment-limit" onClick={() => input.current?.click()}>
        {w.attach}
      </button>
      <small id="attachment-limit" class="muted">{start ? fill(w.attachLimit, { size }) : w.attachSignIn}</small>
      {files.length > 0 && (
        <ul class="pending-files" aria-label={w.attachment}>
          {files.map((file) => <PendingView key={file.key} file={file} lang={lang} onRemove={() => {
            file.cancel?.();
            onFiles((all) => all.filter((f) => f.key !== file.key));
          }} />)}
        </ul>
      )}
    </div>
  );
}

function PendingView({ file, lang, onRemove }: { file: PendingFile; lang: Lang; onRemove: () => void }) {
  const w = words[lang];
  const state = file.error ?? (file.id ? w.attached : fill(w.uploading, { name: file.name }));
  return (
    <li class="pending-file" data-state={file.error ? 'failed' : file.id ? 'uploaded' : 'uploading'}>
      <span class="file-name">{file.name}</span>
      <progress max={1} value={file.id ? 1 : file.progress} aria-label={fill(w.uploading, { name: file.name })} />
      <small class="state" role="status">{state}</small>
      <button type="button" class="quiet" aria-label={fill(w.removeAttachment, { name: file.name })} onClick={onRemove}>×</button>
    </li>
  );
}

/** Starts an upload per file within the limit; a file over it is listed with the reason, not sent. */
export function addFiles(chosen: File[], { limits, start, onFiles, lang }: { limits: UploadLimitsResponse | null; start: StartUpload; onFiles: Props['onFiles']; lang: Lang }): void {
  const w = words[lang];
  for (const file of chosen) {
    const key = (nextKey += 1);
    const patch = (change: Partial<PendingFile>) => onFiles((all) => all.map((f) => (f.key === key ? { ...f, ...change } : f)));
    if (limits && file.size > limits.max_bytes) {
      onFiles((all) => [...all, { key, name: file.name, progress: 0, error: fill(w.tooLarge, { name: file.name, size: formatBytes(limits.max_bytes) }) }]);
      continue;
    }
    const upload = start(file, (progress) => patch({ progress }));
    onFiles((all) => [...all, { key, name: file.name, progress: 0, cancel: upload.cancel }]);
    void upload.done.then((result) => patch(result.ok
      ? { id: result.body.attachment_id, progress: 1, cancel: undefined }
      : { error: fill(w.uploadFailed, { name: file.name, code: result.code }), cancel: undefined }));
  }
}
