import type { ObjectBucket } from '@chatbot/bus';
import type { Logger } from '@chatbot/runtime';
import type { Db } from '../store/database';
import { removePending, stalePending } from './attachment.repository';

const SWEEP_LIMIT = 100;

/**
 * Removes what uploads cut off half-way left: a pending row older than `graceMs` loses its bytes
 * (if any were stored), then the row; chunks of a put whose writer died before naming them are
 * purged once as old. The bytes go first, so a crash in between leaves a row the next sweep
 * finds again, never bytes nothing points to. The gateway gives up an upload well before
 * `graceMs` (UPLOAD_TIMEOUT_MS), so nothing swept is still being written.
 */
export function createAttachmentSweep(deps: { db: Db; bucket: ObjectBucket; logger: Logger; graceMs: number }) {
  return async () => {
    const stale = await stalePending(deps.db, deps.graceMs, SWEEP_LIMIT);
    for (const id of stale) {
      await deps.bucket.delete(id);
      await removePending(deps.db, id);
    }
    const orphans = await deps.bucket.purgeOrphanChunks(deps.graceMs);
    if (stale.length > 0 || orphans > 0) deps.logger.info({ pendingRemoved: stale.length, orphanUploadsPurged: orphans }, 'swept cut-off uploads');
  };
}
