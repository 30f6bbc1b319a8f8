import type { Bus } from '@chatbot/bus';
import { AppError, type Logger } from '@chatbot/runtime';
import { storage } from '../store/storage';
import type { Db } from '../store/database';
import { toFrame } from '../frames/frame.mapper';
import { accessTo } from './session-access.repository';
import { historyOf, lastSeqOf, promptStatusOf, releasedAfter, setFeedback } from './session-query.repository';

/** The request/reply endpoints chat-log owns: feedback, history, who may open a session, frame replay, a resent prompt's state. */
export function serveSessionQueries(bus: Bus, deps: { db: Db; logger: Logger; replayLimit: number }): void {
  const { db, replayLimit } = deps;

  bus.serve('feedback', (request, context) =>
    storage(deps.logger, context.correlationId, async () => {
      if (!(await setFeedback(db, request.message_id, request.is_helpful, request.user_id ?? null))) throw new AppError('E4007');
      return { message_id: request.message_id, feedback_received: request.is_helpful };
    }),
  );

  bus.serve('history', (request, context) =>
    storage(deps.logger, context.correlationId, async () => ({ turns: await historyOf(db, request.session_id, request.limit) })),
  );

  bus.serve('sessionAccess', (request, context) =>
    storage(deps.logger, context.correlationId, async () => ({ access: await accessTo(db, request.session_id, request.user_id) })),
  );

  bus.serve('frames', (request, context) =>
    storage(deps.logger, context.correlationId, async () => {
      const lastSeq = await lastSeqOf(db, request.session_id);
      // A client ahead of us (a session restored from elsewhere) cannot be served: reload.
      if (request.after_seq > lastSeq) return { frames: [], last_seq: lastSeq, resync: true };
      const replies = await releasedAfter(db, request.session_id, request.after_seq, replayLimit);
      return { frames: replies.map(toFrame), last_seq: lastSeq, resync: lastSeq - request.after_seq > replayLimit };
    }),
  );

  // A resend the broker dropped as a duplicate, or a reply timer that fired: the gateway learns here whether it was answered or handed.
  bus.serve('prompt', (request, context) =>
    storage(deps.logger, context.correlationId, async () => {
      const { message, reply, handed } = await promptStatusOf(db, request.session_id, request.message_id);
      return { message, frame: reply ? toFrame(reply) : null, ...(handed ? { handed } : {}) };
    }),
  );
}
