import type { Logger } from './logger';

export interface Periodic {
  stop(): Promise<void>;
}

/** While a task keeps failing (a broker or database outage), it warns once a minute, not every run. */
export const REPEAT_WARNING_MS = 60_000;

/**
 * Runs `task` now and then `intervalMs` after each run ends (runs never overlap). A failed run
 * is logged and the next one happens on schedule: a database outage only delays the work. The
 * first failure is a warning, then one a minute while the failures go on, and a line when the
 * task works again.
 */
export function every(name: string, intervalMs: number, logger: Logger, task: () => Promise<void>, clock: () => number = Date.now): Periodic {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const failures = failureLog(name, logger, clock);
  const tick = () => {
    current = task()
      .then(failures.succeeded, failures.failed)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}

function failureLog(task: string, logger: Logger, clock: () => number) {
  let since: number | null = null;
  let count = 0;
  let warnedAt = 0;
  return {
    failed(error: unknown) {
      const now = clock();
      count += 1;
      if (since === null) {
        since = warnedAt = now;
        logger.warn({ err: error, task }, 'periodic task failed');
      } else if (now - warnedAt >= REPEAT_WARNING_MS) {
        warnedAt = now;
        logger.warn({ err: error, task, failures: count, failingForMs: now - since }, 'periodic task still failing');
      }
    },
    succeeded() {
      if (since === null) return;
      logger.info({ task, failures: count, failedForMs: clock() - since }, 'periodic task works again');
      since = null;
      count = 0;
    },
  };
}
