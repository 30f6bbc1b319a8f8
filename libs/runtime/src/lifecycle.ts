import type { Logger } from 'pino';
import { ConfigError } from './config';
import { startTracing, type Tracing } from './tracing.setup';

export interface Running {
  /** Stop taking work, finish what is in flight, release connections. */
  stop(): Promise<void>;
}

/**
 * The shape every `main.ts` shares: start tracing (when configured: tracing.setup.ts), start,
 * log readiness, and on SIGTERM/SIGINT stop within the grace period (then exit anyway), sending
 * the last spans on the way out. A start-up failure exits 1 with the reason.
 */
export function runMain(
  name: string,
  start: () => Promise<{ running: Running; logger: Logger; graceMs: number }>,
): void {
  let tracing: Tracing | undefined;
  const started = async () => {
    tracing = startTracing(name);
    return start();
  };
  started().then(
    ({ running, logger, graceMs }) => {
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'stopping');
        const timer = setTimeout(() => {
          logger.error({ graceMs }, 'grace period over, exiting with work in flight');
          process.exit(1);
        }, graceMs);
        timer.unref();
        running.stop().then(
          async () => {
            await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'could not send the last spans'));
            logger.info('stopped');
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'stop failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    },
    (error: unknown) => {
      const text = error instanceof ConfigError ? error.message : (error as Error)?.stack ?? String(error);
      process.stderr.write(`${name}: failed to start: ${text}\n`);
      process.exit(1);
    },
  );
}
