import type { Logger } from './logger';

export interface Periodic {
  stop(): Promise<void>;
}

/**
 * Runs `task` now and then `intervalMs` after each run ends (runs never overlap). A failed run
 * is logged and the next one happens on schedule: a database outage only delays the work.
 */
export function every(name: string, intervalMs: number, logger: Logger, task: () => Promise<void>): Periodic {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = task()
      .catch((error: unknown) => logger.warn({ err: error, task: name }, 'periodic task failed'))
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
