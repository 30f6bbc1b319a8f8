import type { Delivery } from '@chatbot/bus';
import type { ChatReplyV1 } from '@chatbot/proto';
import { messageLogger, type Logger } from '@chatbot/runtime';
import type { ChatLogMetrics } from '../chat-log.metrics';
import type { DbRetry } from '../store/db-retry';
import type { ReplyCommitter } from './reply.committer';
import type { Verdict } from './reply.planner';

type Candidate = Delivery<ChatReplyV1>;

interface Deps {
  committer: ReplyCommitter;
  retry: DbRetry;
  metrics: ChatLogMetrics;
  logger: Logger;
}

/**
 * Commits a micro-batch of reply candidates (one transaction) and acks every one of them,
 * committed or dropped: a candidate is produced after its prompt was stored, so none has to wait.
 */
export function createReplyHandler(deps: Deps) {
  return async (batch: Candidate[]): Promise<void> => {
    deps.metrics.batchSize.observe({ consumer: 'replies' }, batch.length);
    const origins = new Map(batch.map((d) => [d.payload.reply_id, d]));
    const verdicts = await deps.committer.commit(
      batch.map((d) => d.payload),
      { origins, guard: (task) => deps.retry.run('commit-replies', batch, task) },
    );
    batch.forEach((delivery, i) => settle(deps.logger, delivery, verdicts[i]));
  };
}

function settle(logger: Logger, delivery: Candidate, verdict: Verdict) {
  delivery.ack();
  // The child logger is built only for a line that is written: most candidates log at debug only.
  if (verdict === 'commit') {
    if (logger.isLevelEnabled('debug')) logFor(logger, delivery).debug(facts(delivery), 'reply committed');
  } else if (verdict === 'duplicate') logFor(logger, delivery).info(facts(delivery), 'prompt already answered, candidate dropped');
  else logFor(logger, delivery).warn({ ...facts(delivery), verdict }, 'candidate dropped');
}

const facts = ({ payload }: Candidate) => ({ replyId: payload.reply_id, kind: payload.kind, source: payload.source });

const logFor = (logger: Logger, { payload, subject, correlationId }: Candidate) =>
  messageLogger(logger, {
    subject,
    sessionId: payload.session_id,
    messageId: payload.prompt_message_id ?? payload.reply_id,
    correlationId,
  });
