import type { Delivery } from '@chatbot/bus';
import type { Logger } from '@chatbot/runtime';
import { isDbReachable, type Db } from './database';
import type { ChatLogMetrics } from '../chat-log.metrics';

export interface DbRetry {
  /**
   * Runs a batch's database work. While Postgres is unreachable the batch is held and retried
   * (its deliveries kept alive) instead of being nak'ed, so batches are stored in stream order
   * when the database returns. Any other failure, or a failure while stopping, is thrown: the
   * consumer naks the batch for a later redelivery.
   */
  run<T>(operation: string, deliveries: Array<Delivery<unknown>>, task: () => Promise<T>): Promise<T>;
  /** Stop holding: the next failure is thrown at once. */
  stop(): void;
}

/** `maxPauseMs` stays well under the consumers' ackWait: each retry also keeps the batch alive. */
export function createDbRetry(db: Db, metrics: ChatLogMetrics, logger: Logger, maxPauseMs: number): DbRetry {
  let stopping = false;
  const sleepers = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });
  return {
    stop() {
      stopping = true;
      for (const wake of [...sleepers]) wake();
    },
    async run(operation, deliveries, task) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await task();
        } catch (error) {
          metrics.dbErrors.inc({ operation });
          if (stopping || (await isDbReachable(db))) throw error;
          if (attempt === 1 || attempt % 20 === 0) {
            logger.warn({ err: error, operation, attempt, size: deliveries.length }, 'database unreachable, holding the batch');
          }
          for (const delivery of deliveries) delivery.working();
          await pause(Math.min(maxPauseMs, 100 * 2 ** attempt));
        }
      }
    },
  };
}
