import type { Bus } from '@chatbot/bus';
import { AppError, isAppError, type Logger } from '@chatbot/runtime';
import type { Db } from '../store/database';
import { complete, createPending, findComplete, type DailyCap } from './attachment.repository';

/** chat-log's attachment endpoints: an upload begins (pending), completes, and is looked up. */
export function serveAttachments(bus: Bus, deps: { db: Db; logger: Logger; cap: DailyCap }): void {
  const { db, cap } = deps;
  bus.serve('attachmentCreate', (request, context) =>
    storage(deps.logger, context.correlationId, async () => {
      await createPending(db, { id: request.attachment_id, ownerId: request.owner_id, sessionId: request.session_id, name: request.name }, cap);
      return { attachment_id: request.attachment_id };
    }),
  );
  bus.serve('attachmentComplete', (request, context) =>
    storage(deps.logger, context.correlationId, () =>
      complete(db, { id: request.attachment_id, size: request.size, sha256: request.sha256, contentType: request.content_type }),
    ),
  );
  bus.serve('attachmentGet', (request, context) => storage(deps.logger, context.correlationId, () => findComplete(db, request.attachment_id)));
}

/** Caller errors pass through; anything else here is the database failing: E5003. */
async function storage<T>(logger: Logger, correlationId: string, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    if (isAppError(error)) throw error;
    logger.warn({ err: error, correlationId }, 'attachment query failed');
    throw new AppError('E5003', undefined, { cause: error });
  }
}
