import type { Bus } from '@chatbot/bus';
import type { Logger } from '@chatbot/runtime';
import { storage } from '../store/storage';
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
