import { UNAVAILABLE_MESSAGE, type ChatReplyV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { ChatLogMetrics } from '../chat-log.metrics';
import type { Db } from '../store/database';
import { findOverdueTurns, type OverdueTurn } from '../commit/release.repository';
import type { ReplyCommitter } from '../commit/reply.committer';

const SWEEP_LIMIT = 200;

/**
 * Commits a failure reply for every turn that waited past the deadline, so one lost reply
 * never blocks its session. It goes through the normal commit path: if the real reply won the
 * race, the failure is dropped as a duplicate.
 */
export function createDeadlineSweep(deps: {
  db: Db;
  committer: ReplyCommitter;
  metrics: ChatLogMetrics;
  logger: Logger;
  deadlineMs: number;
}) {
  return async () => {
    const overdue = await findOverdueTurns(deps.db, deps.deadlineMs, SWEEP_LIMIT);
    if (overdue.length === 0) return;
    const verdicts = await deps.committer.commit(overdue.map(failureFor));
    overdue.forEach((turn, i) => {
      if (verdicts[i] !== 'commit') return;
      deps.metrics.deadlineFailures.inc();
      deps.logger.warn(
        { sessionId: turn.sessionId, messageId: turn.messageId, turn: turn.turn, deadlineMs: deps.deadlineMs },
        'turn unanswered past the release deadline, failure reply committed',
      );
    });
  };
}

function failureFor(turn: OverdueTurn): ChatReplyV1 {
  return {
    reply_id: `chat-log:deadline:${turn.messageId}`,
    session_id: turn.sessionId,
    kind: 'failure',
    prompt_message_id: turn.messageId,
    answer: { message: UNAVAILABLE_MESSAGE, login_required: false },
    source: 'chat-log',
    error_code: 'E5001',
    produced_at: new Date().toISOString(),
  };
}
