import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { ObjectBucket } from '@chatbot/bus';
import { SessionId, type AttachmentRecord } from '@chatbot/proto';
import { AppError, type Logger } from '@chatbot/runtime';
import { callerOf } from '../auth/caller.middleware';
import type { Ask } from '../auth/auth.request';
import { RequestError } from '../http/error.mapper';
import { readFileForm, type IncomingFile } from './multipart.reader';
import { inspect } from './upload.inspector';

export interface UploadLimits {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** An upload still arriving after this long is cut off (keep it under chat-log's ATTACHMENT_GRACE_MS). */
  timeoutMs: number;
}

export interface UploadDeps {
  ask: Ask;
  bucket: () => Promise<ObjectBucket>;
  limits: UploadLimits;
  logger: Logger;
}

/** Room for the form's boundaries, part headers and the session_id field around the file. */
const FORM_SLACK_BYTES = 16 * 1024;
/** How long a refused upload's remaining bytes are discarded before the connection is cut. */
const LINGER_MS = 2_000;
/** Sessions a signed-in caller may upload to: one of their own, or one nobody has written to yet. */
const UPLOADABLE = new Set(['new', 'owner']);

/**
 * One upload, streamed: the form up to its file, the caller's right to the session, a pending
 * record (within the daily cap), the bytes through the inspector into the object store, then the
 * record made complete. Any refusal or a client gone mid-way stops the reading at once; the put
 * then removes what it wrote and the pending record stays invisible until chat-log sweeps it.
 */
export async function receiveUpload(req: Request, res: Response, deps: UploadDeps): Promise<AttachmentRecord> {
  const cutOff = watchCutOff(req, deps.limits.timeoutMs);
  try {
    const declared = Number(req.headers['content-length']);
    if (declared > deps.limits.maxBytes + FORM_SLACK_BYTES) throw new AppError('E4040');
    const file = await Promise.race([readFileForm(req, 'file'), cutOff.happened]);
    cutOff.onCut((error) => file.stream.destroy(error));
    return await store(file, res, deps);
  } catch (error) {
    stopReading(req, res);
    throw error;
  } finally {
    cutOff.stop();
  }
}

async function store(file: IncomingFile, res: Response, deps: UploadDeps): Promise<AttachmentRecord> {
  const owner = callerOf(res).accountId;
  const sessionId = SessionId.safeParse(file.fields.get('session_id'));
  if (!sessionId.success) throw new RequestError(422, 'E4002', 'session_id (a UUID) must come before the file', sessionId.error.issues);
  const { access } = await deps.ask('sessionAccess', { session_id: sessionId.data, user_id: owner }, res);
  if (!UPLOADABLE.has(access)) throw new AppError('E4005');
  const id = randomUUID();
  await deps.ask('attachmentCreate', { attachment_id: id, owner_id: owner, session_id: sessionId.data, name: displayName(file.name) }, res);
  const inspection = inspect(file.stream, deps.limits.maxBytes);
  await (await deps.bucket()).put(id, inspection.chunks);
  const { size, sha256, contentType } = inspection.result();
  deps.logger.info({ attachmentId: id, sessionId: sessionId.data, size, contentType, correlationId: res.locals.correlationId }, 'attachment stored');
  try {
    return await deps.ask('attachmentComplete', { attachment_id: id, size, sha256, content_type: contentType }, res);
  } catch (error) {
    // The record is gone (swept, or its conversation deleted meanwhile): its bytes go too.
    await (await deps.bucket()).delete(id).catch(() => undefined);
    throw error;
  }
}

/** The client's file name, for display: no path, no control characters, at most 255 characters. */
function displayName(given: string | undefined): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const base = (given ?? '').split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base.slice(0, 255) || 'attachment';
}

/**
 * Refused mid-body: nothing more is parsed or stored. Node closes a connection whose response ends
 * before its request did, and closing under a client still writing resets it: its TCP stack then
 * drops our answer unread. So the answer's bytes go out at once (the client can read all of it:
 * it has a Content-Length), while what still arrives is discarded, and the response is ended (the
 * connection closed) when the body ends or after LINGER_MS: the lingering close of web servers.
 */
function stopReading(req: Request, res: Response): void {
  req.unpipe();
  req.resume();
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    const [chunk, encoding] = args;
    if (chunk !== undefined && typeof chunk !== 'function') res.write(chunk as string, (typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding);
    let ended = false;
    const finish = () => {
      clearTimeout(cut);
      if (!ended) end();
      ended = true;
    };
    const cut = setTimeout(finish, LINGER_MS);
    if (req.complete) finish();
    else req.once('end', finish).once('close', finish);
    return res;
  }) as Response['end'];
}

/** A client that went away mid-body, or an upload past its time: the file stream is failed with it. */
function watchCutOff(req: Request, timeoutMs: number) {
  let cut: ((error: Error) => void) | undefined;
  let reject!: (error: Error) => void;
  const happened = new Promise<never>((_, r) => (reject = r));
  happened.catch(() => undefined);
  const fire = (error: Error) => {
    reject(error);
    cut?.(error);
  };
  const onClose = () => {
    if (!req.complete) fire(new Error('the client closed the connection mid-upload'));
  };
  const timer = setTimeout(() => fire(new RequestError(408, 'E4001', 'Upload took too long')), timeoutMs);
  req.once('close', onClose);
  return {
    happened,
    onCut: (handler: (error: Error) => void) => void (cut = handler),
    stop() {
      clearTimeout(timer);
      req.off('close', onClose);
    },
  };
}
