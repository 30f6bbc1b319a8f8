import type { Bus } from '@chatbot/bus';
import { AppError, isAppError, type Logger } from '@chatbot/runtime';
import type { Db } from '../store/database';
import { saveSummary, summariesOf } from './summary.repository';

/** `chatlog.summary.save.v1` (from the summary workers) and `chatlog.summary.get.v1` (for agents, through the gateway). */
export function serveSummaries(bus: Bus, deps: { db: Db; logger: Logger }): void {
  const { db, logger } = deps;
  bus.serve('summarySave', (request, context) =>
    storage(logger, context.correlationId, async () => {
      const stored = await saveSummary(db, request);
      if (stored === null) throw new AppError('E4005');
      if (stored) logger.info({ sessionId: request.session_id, trigger: request.trigger, version: request.version, source: request.source, correlationId: context.correlationId }, 'summary stored');
      return { stored };
    }),
  );
  bus.serve('summaryGet', (request, context) =>
    storage(logger, context.correlationId, async () => {
      const found = await summariesOf(db, request.session_id);
      if (!found) throw new AppError('E4005');
      return found;
    }),
  );
}

/** Caller errors pass through; anything else here is the database failing: E5003. */
async function storage<T>(logger: Logger, correlationId: string, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    if (isAppError(error)) throw error;
    logger.warn({ err: error, correlationId }, 'summary request failed');
    throw new AppError('E5003', undefined, { cause: error });
  }
}
