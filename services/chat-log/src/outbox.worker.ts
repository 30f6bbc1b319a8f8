import type { Logger } from '@chatbot/runtime';
import type { Db } from './database';
import type { FramePublisher } from './frame.publisher';
import { findUnpublished } from './outbox.repository';
import type { Serial } from './serial';

const SWEEP_LIMIT = 500;

/**
 * Publishes released replies that were never published (the process died between commit and
 * publish). Only releases older than `olderThanMs` are taken, so a live publish in progress is
 * left alone.
 */
export function createOutboxSweep(deps: { db: Db; publisher: FramePublisher; serial: Serial; logger: Logger; olderThanMs: number }) {
  return () =>
    deps.serial(async () => {
      const replies = await findUnpublished(deps.db, deps.olderThanMs, SWEEP_LIMIT);
      if (replies.length === 0) return;
      deps.logger.info({ count: replies.length }, 'publishing released frames left unpublished');
      await deps.publisher.publish(replies, 'outbox');
    });
}
