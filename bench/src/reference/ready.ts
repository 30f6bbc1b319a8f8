/** The ready line the harness waits for (the services' convention: `{"msg":"ready","ports":…}`). */
export function announceReady(ports: Record<string, number>): void {
  process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'ready', ports })}\n`);
}

/** Stops on SIGTERM/SIGINT by running `stop`, then exits. */
export function stopOnSignal(stop: () => Promise<void> | void): void {
  const handler = () => {
    Promise.resolve(stop()).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
