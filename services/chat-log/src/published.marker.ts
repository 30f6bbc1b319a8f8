import type { Logger } from '@chatbot/runtime';
import type { ChatLogMetrics } from './chat-log.metrics';
import type { Db } from './database';
import { markPublished } from './outbox.repository';

export interface PublishedMarker {
  /** Records these releases as published, soon and in bulk. Never throws. */
  add(ids: readonly string[]): void;
  /** Resolves once everything added so far is written (or failed). */
  flush(): Promise<void>;
}

/**
 * Writes `published_at` off the serial publish queue: only the publishes need the order, and the
 * mark is bookkeeping for the outbox. One write at a time takes everything added meanwhile. A
 * mark lost to a crash or a failed write means one more publish by the outbox, which the gateway
 * drops as a seq it already delivered.
 */
export function createPublishedMarker(db: Db, metrics: ChatLogMetrics, logger: Logger): PublishedMarker {
  let pending: string[] = [];
  let writing: Promise<void> | null = null;
  const write = async () => {
    while (pending.length > 0) {
      const ids = pending;
      pending = [];
      try {
        await markPublished(db, ids);
      } catch (error) {
        metrics.dbErrors.inc({ operation: 'mark-published' });
        logger.warn({ err: error, count: ids.length }, 'could not mark frames published; the outbox will publish them again');
      }
    }
    writing = null;
  };
  return {
    add(ids) {
      if (ids.length === 0) return;
      pending.push(...ids);
      writing ??= write();
    },
    flush() {
      return writing ?? Promise.resolve();
    },
  };
}
