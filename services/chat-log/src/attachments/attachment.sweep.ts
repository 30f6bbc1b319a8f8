import type { ObjectBucket } from '@chatbot/bus';
import type { Logger } from '@chatbot/runtime';
import type { Db } from '../store/database';
import { expiredComplete, removeAttachment, removePending, stalePending } from './attachment.repository';

const SWEEP_LIMIT = 100;

export interface AttachmentSweepDeps {
  db: Db;
  bucket: ObjectBucket;
  logger: Logger;
  graceMs: number;
  /** 0: complete attachments stay as long as their conversation. */
  retentionDays: number;
}

/**
 * Removes what uploads cut off half-way left: a pending row older than `graceMs` loses its bytes
 * (if any were stored), then the row; chunks of a put whose writer died before naming them are
 * purged once as old. With a retention, complete attachments past it go the same way. The bytes
 * go first, so a crash in between leaves a row the next sweep finds again, never bytes nothing
 * points to. The gateway gives up an upload well before `graceMs` (UPLOAD_TIMEOUT_MS), so nothing
 * swept is still being written.
 */
export function createAttachmentSweep(deps: AttachmentSweepDeps) {
  return async () => {
    const stale = await stalePending(deps.db, deps.graceMs, SWEEP_LIMIT);
    for (const id of stale) {
      await deps.bucket.delete(id);
      await removePending(deps.db, id);
    }
    const expired = deps.retentionDays > 0 ? await expiredComplete(deps.db, deps.retentionDays, SWEEP_LIMIT) : [];
    for (const id of expired) {
      await deps.bucket.delete(id);
      await removeAttachment(deps.db, id);
    }
    const orphans = await deps.bucket.purgeOrphanChunks(deps.graceMs);
    if (stale.length > 0 || expired.length > 0 || orphans > 0) {
      deps.logger.info({ pendingRemoved: stale.length, expiredRemoved: expired.length, orphanUploadsPurged: orphans }, 'swept attachments');
    }
  };
}
