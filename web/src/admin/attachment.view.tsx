import type { AttachmentSummary } from '@chatbot/proto';
import { useEffect, useState } from 'preact/hooks';
import { download, fetchAttachment, formatBytes } from '../lib/attachments.api';
import type { AuthSession } from '../lib/auth.session';
import type { ConsoleWords } from './words';

interface Props {
  c: ConsoleWords;
  auth: AuthSession;
  file: AttachmentSummary;
}

/**
 * A customer's attachment in the conversation view: its name, size and (for an image) a thumbnail,
 * fetched with the agent's token and shown through a `blob:` URL (the Content-Security-Policy
 * allows `blob:` images); activating it downloads the file the same way.
 */
export function AttachmentView({ c, auth, file }: Props) {
  const [failed, setFailed] = useState(false);
  const open = async (event: Event) => {
    event.preventDefault();
    setFailed(!(await download(auth, file.attachment_id, file.name)));
  };
  return (
    <li class="attachment" data-attachment-id={file.attachment_id} data-content-type={file.content_type}>
      <a href={`/api/chats/attachments/${file.attachment_id}`} class="file-link" onClick={(e) => void open(e)}>
        {file.content_type.startsWith('image/') && <Thumbnail auth={auth} id={file.attachment_id} />}
        <span>{file.name}</span> <small class="muted">{formatBytes(file.size)}</small>
      </a>
      {failed && <small class="form-error" role="alert">{c.attachmentFailed}</small>}
    </li>
  );
}

/** The image itself, read once; its URL is released when the view goes. */
function Thumbnail({ auth, id }: { auth: AuthSession; id: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let made: string | null = null;
    let gone = false;
    void fetchAttachment(auth, id).then((blob) => {
      if (!blob || gone) return;
      made = URL.createObjectURL(blob);
      setUrl(made);
    });
    return () => {
      gone = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [id]);
  return url ? <img class="attachment-thumb" src={url} alt="" /> : null;
}
