import type { Logger } from '@chatbot/runtime';
import type { ChatLogMetrics } from '../chat-log.metrics';
import type { Db } from '../store/database';
import { markPublished, type FrameKey } from './outbox.repository';

export interface PublishedMarker {
  /** Takes these frames out of the outbox, soon and in bulk. Never throws. */
  add(frames: readonly FrameKey[]): void;
  /** Resolves once everything added so far is written (or failed). */
  flush(): Promise<void>;
}

/**
 * Takes published frames out of the outbox off the serial publish queue: only the publishes need
 * the order, and the mark is bookkeeping for the outbox. One write at a time takes everything
 * added meanwhile. A mark lost to a crash or a failed write means one more publish by the
 * outbox, which the gateway drops as a seq it already delivered.
 */
export function createPublishedMarker(db: Db, metrics: ChatLogMetrics, logger: Logger): PublishedMarker {
  let pending: FrameKey[] = [];
  let writing: Promise<void> | null = null;
  const write = async () => {
    while (pending.length > 0) {
      const frames = pending;
      pending = [];
      try {
        await markPublished(db, frames);
      } catch (error) {
        metrics.dbErrors.inc({ operation: 'mark-published' });
        logger.warn({ err: error, count: frames.length }, 'could not mark frames published; the outbox will publish them again');
      }
    }
    writing = null;
  };
  return {
    add(frames) {
      if (frames.length === 0) return;
      pending.push(...frames);
      writing ??= write();
    },
    flush() {
      return writing ?? Promise.resolve();
    },
  };
}
