import type { AttachmentResponse, UploadLimitsResponse } from '@chatbot/proto';
import { callApi, type ApiResult } from './auth.api';
import type { AuthSession } from './auth.session';

export const uploadLimits = () => callApi<UploadLimitsResponse>('GET', '/api/chats/upload/limits');

/** An upload in progress: `progress` gets the fraction sent (0–1), `cancel` aborts it. */
export interface Upload {
  done: Promise<ApiResult<AttachmentResponse>>;
  cancel(): void;
}

/**
 * `POST /api/chats/upload` with XMLHttpRequest, the one browser API that reports upload progress.
 * The form is `session_id` first, then the file: the gateway streams the file and needs the session
 * before it (docs/protocol.md, Attachments).
 */
export function upload(token: string, sessionId: string, file: File, progress: (fraction: number) => void): Upload {
  const xhr = new XMLHttpRequest();
  const form = new FormData();
  form.append('session_id', sessionId);
  form.append('file', file, file.name);
  const done = new Promise<ApiResult<AttachmentResponse>>((resolve) => {
    xhr.upload.onprogress = (event) => event.lengthComputable && progress(event.loaded / event.total);
    xhr.onload = () => resolve(resultOf(xhr));
    xhr.onerror = () => resolve({ ok: false, status: 0, code: 'network' });
    xhr.onabort = () => resolve({ ok: false, status: 0, code: 'aborted' });
  });
  xhr.open('POST', '/api/chats/upload');
  xhr.setRequestHeader('Authorization', `Bearer ${token}`);
  xhr.send(form);
  return { done, cancel: () => xhr.abort() };
}

function resultOf(xhr: XMLHttpRequest): ApiResult<AttachmentResponse> {
  let body: { code?: string } | undefined;
  try {
    body = JSON.parse(xhr.responseText) as { code?: string };
  } catch {
    body = undefined;
  }
  if (xhr.status === 201) return { ok: true, body: body as AttachmentResponse };
  return { ok: false, status: xhr.status, code: body?.code ?? String(xhr.status) };
}

/**
 * An attachment's bytes as the signed-in person: the gateway wants the bearer token, which a plain
 * link or image address cannot send, so they are fetched (null when refused) and shown through a
 * `blob:` URL.
 */
export async function fetchAttachment(auth: AuthSession, id: string): Promise<Blob | null> {
  const token = await auth.token();
  if (!token) return null;
  const res = await fetch(`/api/chats/attachments/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } });
  return res.ok ? res.blob() : null;
}

/** Downloads an attachment (see fetchAttachment), handed to the browser as a file. */
export async function download(auth: AuthSession, id: string, name: string): Promise<boolean> {
  const blob = await fetchAttachment(auth, id);
  if (!blob) return false;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return true;
}

/** 20971520 → "20 MB" (MiB, as the gateway counts; one decimal below 10). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || value >= 10 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${units[unit]}`;
}
