import type { Bus, Delivery } from '@chatbot/bus';
import { SummaryTrigger, type ChatStatusChangedV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';

/** The broker's de-duplication id of a summary job: one job per transition, however often it is asked for. */
export const summaryJobMsgId = (sessionId: string, trigger: SummaryTrigger, version: number): string =>
  `${sessionId}:summary:${trigger}:${version}`;

/**
 * Turns the status changes that ask for a summary (entering `waiting`, completing) into summary
 * jobs for the worker pool. The batch is acknowledged only once the broker took every job: a crash
 * in between redelivers the changes, and the jobs published again carry the same Msg-Id, which the
 * broker drops (and chat-log's key on the transition keeps one summary beyond its window).
 */
export function createSummaryTrigger(bus: Pick<Bus, 'publish'>, logger: Logger) {
  return async (batch: Delivery<ChatStatusChangedV1>[]): Promise<void> => {
    const jobs = batch.flatMap(({ payload, correlationId }) => {
      const trigger = SummaryTrigger.safeParse(payload.to);
      if (!trigger.success || payload.from === payload.to) return [];
      const job = { session_id: payload.session_id, trigger: trigger.data, version: payload.version, requested_at: new Date().toISOString() };
      const msgId = summaryJobMsgId(job.session_id, job.trigger, job.version);
      return [bus.publish('summaryJob', job.session_id, job, { msgId, correlationId }).then((published) => {
        if (!published?.duplicate) logger.debug({ sessionId: job.session_id, trigger: job.trigger, version: job.version }, 'summary job queued');
      })];
    });
    await Promise.all(jobs);
  };
}
