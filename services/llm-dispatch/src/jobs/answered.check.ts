import type { Bus } from '@chatbot/bus';
import type { LlmJobV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';

export type AnsweredCheck = (job: Pick<LlmJobV1, 'session_id' | 'message_id'>, log: Logger) => Promise<boolean>;

/**
 * Whether chat-log has already released a reply to this job's message. Then the user has seen an
 * answer and chat-log would drop another one, so the job needs no model call. A nats-server killed
 * with -9 can lose a job's acknowledgement and deliver it again, or keep it in the queue as its
 * session's head without delivering it at all; Postgres (chat-log) is the one record of what was
 * answered. When chat-log does not say, the job is treated as unanswered, as before this check.
 */
export function answeredCheck(bus: Pick<Bus, 'request'>, timeoutMs: number): AnsweredCheck {
  return async (job, log) => {
    try {
      // Waits for chat-log while it reconnects: right after a broker restart is when this is asked.
      const status = await bus.request('prompt', { session_id: job.session_id, message_id: job.message_id }, { timeoutMs, waitForResponder: true });
      return status.frame !== null;
    } catch (error) {
      log.info({ err: error }, 'chat-log did not say whether the job was answered; treating it as unanswered');
      return false;
    }
  };
}
