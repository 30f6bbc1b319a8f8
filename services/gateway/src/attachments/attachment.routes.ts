import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import type { Bus, ObjectBucket } from '@chatbot/bus';
import { AttachmentId, AttachmentType, objectBuckets, type AttachmentRecord, type AttachmentResponse, type UploadLimitsResponse } from '@chatbot/proto';
import { AppError, type Logger } from '@chatbot/runtime';
import { callerOf, requireCaller, type CallerDeps } from '../auth/caller.middleware';
import { route, type Ask } from '../auth/auth.request';
import type { BrokerLink } from '../broker.link';
import { receiveUpload, type UploadLimits } from './upload.receiver';

export interface AttachmentRouteDeps {
  bus: Bus;
  link: BrokerLink;
  requestTimeoutMs: number;
  logger: Logger;
  auth: CallerDeps;
  uploads: UploadLimits;
}

/** Roles that may read any attachment (the help desk); anybody else only their own. */
const READS_ALL = new Set(['agent', 'admin']);

/** `POST /api/chats/upload` and `GET /api/chats/attachments/{id}` (docs/protocol.md, Attachments). */
export function attachmentRouter(deps: AttachmentRouteDeps): Router {
  const router = Router();
  const ask: Ask = (key, payload, res) => {
    deps.link.require();
    return deps.bus.request(key, payload, { timeoutMs: deps.requestTimeoutMs, correlationId: res.locals.correlationId as string });
  };
  const bucket = lazyBucket(deps.bus);
  const signedIn = requireCaller(deps.auth, { scope: 'chat' });

  // Before signedIn: the page shows the limit to anybody deciding whether to sign in and upload.
  router.get('/api/chats/upload/limits', route('chats.upload.limits', async (): Promise<UploadLimitsResponse> => ({
    max_bytes: deps.uploads.maxBytes,
    types: AttachmentType.options,
  })));

  router.post('/api/chats/upload', signedIn, route('chats.upload', async (req, res): Promise<AttachmentResponse> => {
    const record = await receiveUpload(req, res, { ask, bucket, limits: deps.uploads, logger: deps.logger });
    res.status(201);
    const { owner_id: _owner, message_id: _message, ...answer } = record;
    return answer;
  }));

  router.get('/api/chats/attachments/:id', signedIn, async (req, res, next) => {
    res.locals.route = 'chats.attachment';
    try {
      const record = await readable(req, res, ask);
      const object = await (await bucket()).get(record.attachment_id);
      if (!object) {
        deps.logger.error({ attachmentId: record.attachment_id, correlationId: res.locals.correlationId }, 'complete attachment has no bytes in the object store');
        throw new AppError('E4044');
      }
      sendHeaders(res, record);
      await pipeline(Readable.from(object.data), res);
    } catch (error) {
      // Once bytes went out the status is sent: a failure can only cut the response short.
      if (res.headersSent) return void res.destroy(error as Error);
      next(error);
    }
  });
  return router;
}

/** The record, when the caller may read it: its owner, an agent or an admin. Anybody else: 404, as for no such id. */
async function readable(req: Request, res: Response, ask: Ask): Promise<AttachmentRecord> {
  const id = AttachmentId.safeParse(req.params.id);
  if (!id.success) throw new AppError('E4044');
  const record = await ask('attachmentGet', { attachment_id: id.data }, res);
  const caller = callerOf(res);
  if (record.owner_id !== caller.accountId && !READS_ALL.has(caller.role)) throw new AppError('E4044');
  return record;
}

function sendHeaders(res: Response, record: AttachmentRecord): void {
  res.status(200);
  res.setHeader('Content-Type', record.content_type);
  res.setHeader('Content-Length', String(record.size));
  // Always a download, never rendered in our origin; the type is the sniffed one.
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(record.name)}`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('Digest', `sha-256=${Buffer.from(record.sha256, 'hex').toString('base64')}`);
}

/** The bucket, opened on first use (and again after a failed open). */
function lazyBucket(bus: Bus): () => Promise<ObjectBucket> {
  let opened: Promise<ObjectBucket> | undefined;
  return () => {
    opened ??= bus.objectBucket(objectBuckets.attachments).catch((error: unknown) => {
      opened = undefined;
      throw error;
    });
    return opened;
  };
}
