/**
 * Tells reply candidates held in memory that their prompt was stored by this process, so they
 * are committed right after the inbound transaction instead of after a broker redelivery.
 */
export interface PromptWatch {
  /** Called once a transaction that stored these message ids has committed. */
  stored(messageIds: readonly string[]): void;
  /**
   * Resolves with those of `promptIds` stored so far (also just before the call), as soon as
   * there is at least one, or empty at `deadline` or when the watch is closed.
   */
  next(promptIds: ReadonlySet<string>, deadline: number): Promise<Set<string>>;
  /** Shutting down: every wait ends now, and later ones at once. */
  close(): void;
}

interface Waiter {
  promptIds: ReadonlySet<string>;
  resolve(stored: Set<string>): void;
}

/**
 * Ids stored in the last `rememberMs` are kept: a candidate's transaction may find its prompt
 * missing just before the store commits, and only start waiting after the signal went out.
 */
export function createPromptWatch(rememberMs = 10_000): PromptWatch {
  const recent = new Map<string, number>();
  const waiters = new Set<Waiter>();
  let closed = false;
  const forget = (now: number) => {
    for (const [id, at] of recent) {
      if (now - at < rememberMs) break;
      recent.delete(id);
    }
  };
  const found = (promptIds: ReadonlySet<string>) => new Set([...promptIds].filter((id) => recent.has(id)));
  return {
    stored(messageIds) {
      const now = Date.now();
      forget(now);
      for (const id of messageIds) {
        recent.delete(id); // keeps the map in time order, which forget() relies on
        recent.set(id, now);
      }
      for (const waiter of [...waiters]) {
        const ready = found(waiter.promptIds);
        if (ready.size > 0) waiter.resolve(ready);
      }
    },
    next(promptIds, deadline) {
      const ready = found(promptIds);
      if (ready.size > 0 || closed || deadline <= Date.now()) return Promise.resolve(ready);
      return new Promise((resolve) => {
        const waiter: Waiter = {
          promptIds,
          resolve(stored) {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(stored);
          },
        };
        const timer = setTimeout(() => waiter.resolve(new Set()), deadline - Date.now());
        waiters.add(waiter);
      });
    },
    close() {
      closed = true;
      for (const waiter of [...waiters]) waiter.resolve(new Set());
    },
  };
}
