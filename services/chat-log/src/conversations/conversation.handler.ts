import type { Bus, ObjectBucket } from '@chatbot/bus';
import { AppError, type Logger } from '@chatbot/runtime';
import type { Db } from '../store/database';
import { storage } from '../store/storage';
import { createConversation, listConversations, ownedConversation, renameConversation } from './conversation.repository';
import { attachmentIdsOfSession } from '../attachments/attachment.repository';
import { eraseConversation } from './erase.repository';
import { historyPage } from './history-page.repository';
import type { AgentEvents } from '../status/agent-events.publisher';

/**
 * The conversation endpoints (`chatlog.conversation.*.v1`). Every one is scoped to the caller's
 * `user_id`: a session of another account, an unknown and a deleted one are all E4005, so an
 * answer never tells whether someone else's session exists.
 */
export function serveConversations(bus: Bus, deps: { db: Db; logger: Logger; bucket: ObjectBucket; agentEvents: Pick<AgentEvents, 'send'> }): void {
  const { db } = deps;
  const run = <T>(correlationId: string, task: () => Promise<T>) => storage(deps.logger, correlationId, task);
  const found = <T>(value: T | null | false): T => {
    if (value === null || value === false) throw new AppError('E4005');
    return value;
  };

  bus.serve('conversationCreate', (request, context) =>
    run(context.correlationId, () => createConversation(db, request.user_id, request.title ?? null)),
  );

  bus.serve('conversationList', (request, context) =>
    run(context.correlationId, async () => {
      const { rows, total } = await listConversations(db, request.user_id, request.limit, request.offset);
      return { sessions: rows, total_sessions: total };
    }),
  );

  bus.serve('conversationGet', (request, context) =>
    run(context.correlationId, async () => found(await ownedConversation(db, request.user_id, request.session_id))),
  );

  bus.serve('conversationRename', (request, context) =>
    run(context.correlationId, async () => found(await renameConversation(db, request.user_id, request.session_id, request.title))),
  );

  bus.serve('conversationDelete', (request, context) =>
    run(context.correlationId, async () => {
      // Listed before the erase deletes their rows; an upload that completes in between loses its
      // row to the erase and its completion fails, and the gateway then removes its bytes.
      const attachments = await attachmentIdsOfSession(db, request.session_id);
      const removed = found(await eraseConversation(db, request.user_id, request.session_id));
      await purgeFromBroker(bus, deps.logger, request.session_id, context.correlationId);
      // After the purge, which takes the session's earlier agent events (and their texts) with it.
      await deps.agentEvents.send([removed]);
      for (const id of attachments) await deps.bucket.delete(id);
      return { session_id: request.session_id, deleted: true as const };
    }),
  );

  bus.serve('conversationHistory', (request, context) =>
    run(context.correlationId, async () => {
      found(await ownedConversation(db, request.user_id, request.session_id));
      const { entries, total } = await historyPage(db, request.session_id, request.limit, request.offset);
      return { messages: entries, total_messages: total, has_more: request.offset + entries.length < total };
    }),
  );
}

/**
 * The texts the broker still keeps for the session go too: CHAT_INBOUND keeps what users sent for
 * 24 h after chat-log read it, CHAT_STORED holds a stored message until qna-cache routed it, and
 * AGENT_EVENTS keeps the agents' view of each message for 24 h.
 * (The LLM_JOBS and CHAT_REPLIES work queues drop a message once it is handled, within seconds.)
 * The database erasure is committed already; a failed purge is logged, and the streams' max age
 * removes the rest.
 */
async function purgeFromBroker(bus: Bus, logger: Logger, sessionId: string, correlationId: string): Promise<void> {
  try {
    const keys = ['chatInbound', 'chatStored', 'agentEvent'] as const;
    const purged = await Promise.all(keys.map((key) => bus.purgeEvents(key, sessionId)));
    logger.info({ sessionId, correlationId, purged: purged.reduce((a, b) => a + b, 0) }, 'conversation erased');
  } catch (error) {
    logger.warn({ err: error, sessionId, correlationId }, 'conversation erased from the database; its messages stay in the broker until they age out');
  }
}
