import type { Bus, ConsumerHandle, ConsumerSpec } from '@chatbot/bus';
import { consumers } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { PrismaClient } from '../../generated/prisma/client';
import { countMessages } from './usage.repository';

const spec: ConsumerSpec = { ...consumers.personaUsage, ackWaitMs: 30_000, maxDeliver: -1, maxAckPending: 1_000 };

/**
 * Counts the stored messages of signed-in users (chat.usage.v1, from chat-log) into their
 * accounts' usage counters. A batch is one transaction, acked after it commits: a crash before the
 * ack redelivers it, and the message ids already counted are skipped (`countMessages`).
 */
export function consumeUsage(bus: Bus, prisma: PrismaClient, logger: Logger): Promise<ConsumerHandle> {
  return bus.consumeBatches('chatUsage', spec, { maxBatch: 100, retryDelayMs: 1_000 }, async (batch) => {
    const messages = batch.map((d) => ({ messageId: d.payload.message_id, accountId: d.payload.user_id }));
    const added = await countMessages(prisma, messages);
    logger.debug({ subject: 'chat.usage.v1', size: batch.length, added }, 'usage counted');
  });
}
