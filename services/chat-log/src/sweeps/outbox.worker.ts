import type { Logger } from '@chatbot/runtime';
import type { Db } from '../store/database';
import type { FramePublisher } from '../frames/frame.publisher';
import { findUnpublished, findUnpublishedAfter, type FrameKey } from '../frames/outbox.repository';
import type { Serial } from '../frames/serial';

const SWEEP_LIMIT = 500;

interface OutboxDeps {
  db: Db;
  publisher: FramePublisher;
  serial: Serial;
  logger: Logger;
}

/**
 * Publishes released replies that were never published (the process died between commit and
 * publish). Only releases older than `olderThanMs` are taken, so a live publish in progress is
 * left alone.
 */
export function createOutboxSweep(deps: OutboxDeps & { olderThanMs: number }) {
  return () =>
    deps.serial(async () => {
      const replies = await findUnpublished(deps.db, deps.olderThanMs, SWEEP_LIMIT);
      if (replies.length === 0) return;
      deps.logger.info({ count: replies.length }, 'publishing released frames left unpublished');
      await deps.publisher.publish(replies, 'outbox');
    });
}

/**
 * Publishes every release an earlier process left unpublished, whatever its age. Run at
 * start-up before the consumers and the session queries: a newer frame of the same session
 * (the next commit, a resent prompt's frame) must not reach the gateway before it, and the
 * sweep would only take it once it is `olderThanMs` old. Returns how many frames it published.
 */
export function drainOutbox(deps: OutboxDeps): Promise<number> {
  return deps.serial(async () => {
    let after: FrameKey | null = null;
    let count = 0;
    for (;;) {
      const page = await findUnpublishedAfter(deps.db, after, SWEEP_LIMIT);
      if (page.length === 0) break;
      await deps.publisher.publish(page, 'outbox');
      count += page.length;
      after = page[page.length - 1];
    }
    if (count > 0) deps.logger.info({ count }, 'published the frames an earlier run left unpublished');
    return count;
  });
}
