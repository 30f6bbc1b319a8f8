/**
 * An upload client for the attachment specs: builds multipart bodies byte by byte (so a spec can
 * also send broken ones) and streams them over plain HTTP, reading the answer even when the
 * server answers and closes before the body is all sent (as it does past the size limit).
 */
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';

export interface UploadAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- specs read whatever came back
  /** Bytes the client had sent when the answer began (or by the end, when none came). */
  sent: number;
}

export interface FilePart {
  name?: string;
  type?: string;
  /** The file's bytes: a buffer, or chunks produced as the upload goes. */
  data: Buffer | AsyncIterable<Buffer>;
}

export const BOUNDARY = `----itest${randomBytes(8).toString('hex')}`;

/** The parts of a form: the session_id field (when given), then the file, then the closing boundary. */
export async function* formBody(sessionId: string | null, file: FilePart): AsyncIterable<Buffer> {
  if (sessionId !== null) yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="session_id"\r\n\r\n${sessionId}\r\n`);
  yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name ?? 'file.bin'}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`);
  if (Buffer.isBuffer(file.data)) yield file.data;
  else for await (const chunk of file.data) yield chunk;
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

/** Collected into one buffer (for a spec that sends a Content-Length). */
export async function whole(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

export interface PostOptions {
  token?: string;
  contentType?: string;
  /** Sent as is; absent: the body goes chunked. */
  contentLength?: number;
  /** Stop sending after this many bytes and drop the connection (a client gone mid-upload). */
  abortAfter?: number;
  /**
   * Pause after this many bytes until the answer comes (at most 10 s), then send the rest: a
   * server that answers while the client waits has not needed the body, however fast the
   * machine drains what follows.
   */
  holdAfter?: number;
}

/** POSTs `body` to `url` as it is produced; resolves with the answer, or with status 0 when there was none. */
export function postStream(url: string, body: AsyncIterable<Buffer>, options: PostOptions = {}): Promise<UploadAnswer> {
  return new Promise((resolve) => {
    let sent = 0;
    // Taken when the answer's head arrives: the server may then read on (and drop) what follows,
    // so a count taken at the end says how fast this machine is, not what the server waited for.
    let sentAtAnswer: number | null = null;
    let settled = false;
    let answered: () => void = () => {};
    const answer = new Promise<void>((r) => (answered = r));
    const done = (answer: Omit<UploadAnswer, 'sent'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...answer, sent: sentAtAnswer ?? sent });
    };
    const headers: Record<string, string> = { 'content-type': options.contentType ?? `multipart/form-data; boundary=${BOUNDARY}` };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.contentLength !== undefined) headers['content-length'] = String(options.contentLength);
    // A connection of its own: a kept-alive one the server is closing would lose the answer.
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      sentAtAnswer = sent;
      answered();
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      res.on('error', () => done({ status: res.statusCode ?? 0, body: undefined }));
    });
    // A write refused after the answer came (the server closed) is no failure: the answer counts.
    req.on('error', () => setTimeout(() => done({ status: 0, body: undefined }), 200));
    void (async () => {
      for await (const chunk of body) {
        if (settled || req.destroyed) return;
        if (options.abortAfter !== undefined && sent + chunk.length > options.abortAfter) {
          req.write(chunk.subarray(0, options.abortAfter - sent));
          sent = options.abortAfter;
          await new Promise((r) => setTimeout(r, 300));
          req.destroy();
          return done({ status: 0, body: undefined });
        }
        if (options.holdAfter !== undefined && sent >= options.holdAfter && sentAtAnswer === null) {
          await Promise.race([answer, new Promise((r) => setTimeout(r, 10_000))]);
          if (settled || req.destroyed) return;
        }
        sent += chunk.length;
        if (!req.write(chunk)) await new Promise<void>((r) => {
          const go = () => {
            req.off('drain', go).off('close', go);
            r();
          };
          req.on('drain', go).on('close', go);
        });
      }
      req.end();
    })();
  });
}

/** `size` bytes of a PNG: its signature, then filler, produced in 64 KiB chunks (never held whole). */
export async function* pngOf(size: number, chunk = 65_536): AsyncIterable<Buffer> {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const filler = Buffer.alloc(chunk, 0x42);
  let left = size;
  const first = Buffer.concat([signature, filler]).subarray(0, Math.min(size, chunk));
  left -= first.length;
  yield first;
  while (left > 0) {
    const piece = filler.subarray(0, Math.min(left, chunk));
    left -= piece.length;
    yield piece;
  }
}
