import { every, type Logger, type Periodic } from '@chatbot/runtime';
import type { PrismaClient } from '../../generated/prisma/client';
import { forgetCountedMessages } from './usage.repository';

const BATCH = 5_000;
const HOUR_MS = 3_600_000;

/**
 * Keeps `counted_messages` from growing for ever: once an hour, the ids counted more than
 * `dedupeDays` ago go, a batch at a time until none is left.
 */
export function pruneCountedMessages(prisma: PrismaClient, dedupeDays: number, logger: Logger, intervalMs = HOUR_MS): Periodic {
  return every('counted message pruning', intervalMs, logger, async () => {
    let total = 0;
    for (let removed = BATCH; removed === BATCH; total += removed) removed = await forgetCountedMessages(prisma, dedupeDays, BATCH);
    if (total > 0) logger.info({ removed: total, olderThanDays: dedupeDays }, 'forgot old counted message ids');
  });
}
