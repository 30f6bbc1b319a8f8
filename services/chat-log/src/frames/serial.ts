/**
 * Runs tasks one after another. Commits, releases and outbox re-publishes of this process go
 * through one queue, so the frames of a session leave in seq order.
 */
export type Serial = <T>(task: () => Promise<T>) => Promise<T>;

export function createSerial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
