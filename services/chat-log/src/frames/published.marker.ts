import type { Logger } from '@chatbot/runtime';
import type { ChatLogMetrics } from '../chat-log.metrics';

export interface PublishedMarker<K> {
  /** Takes these entries out of their outbox, soon and in bulk. Never throws. */
  add(keys: readonly K[]): void;
  /** Resolves once everything added so far is written (or failed). */
  flush(): Promise<void>;
}

/**
 * Takes published entries out of an outbox (released frames, agent events) off the serial
 * publish queue: only the publishes need the order, and the mark is bookkeeping for the outbox.
 * One write at a time takes everything added meanwhile. A mark lost to a crash or a failed write
 * means one more publish by the outbox's sweep, which the receiver drops (a seq the gateway
 * already delivered, a Msg-Id the broker already holds).
 */
export function createPublishedMarker<K>(
  mark: (keys: K[]) => Promise<void>, operation: string, metrics: ChatLogMetrics, logger: Logger,
): PublishedMarker<K> {
  let pending: K[] = [];
  let writing: Promise<void> | null = null;
  const write = async () => {
    while (pending.length > 0) {
      const keys = pending;
      pending = [];
      try {
        await mark(keys);
      } catch (error) {
        metrics.dbErrors.inc({ operation });
        logger.warn({ err: error, count: keys.length, operation }, 'could not mark published; the outbox will publish them again');
      }
    }
    writing = null;
  };
  return {
    add(keys) {
      if (keys.length === 0) return;
      pending.push(...keys);
      writing ??= write();
    },
    flush() {
      return writing ?? Promise.resolve();
    },
  };
}
