import type { Bus } from '@chatbot/bus';
import { consumers } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { ModelCaller } from '../answering/model.caller';
import type { Config } from '../config';
import type { LiveSettings } from '../settings/live.settings';
import { createSummaryHandler } from './summary.handler';

/** Entries of a conversation a summary reads (user messages and replies). */
const SUMMARY_HISTORY_LIMIT = 80;

/**
 * The summary jobs' consumer: one durable consumer on the LLM_SUMMARIES work queue shared by every
 * replica, beside (not in) the answer jobs, so a summary never holds back a session's answers.
 */
export async function startSummaryWorker(deps: { bus: Bus; config: Config; logger: Logger; settings: LiveSettings; model?: ModelCaller }): Promise<void> {
  const { bus, config } = deps;
  const handler = createSummaryHandler({
    bus,
    ...(deps.model ? { model: deps.model } : {}),
    settings: deps.settings,
    logger: deps.logger.child({ module: 'summaries' }),
    maxAttempts: config.SUMMARY_MAX_ATTEMPTS,
    historyLimit: SUMMARY_HISTORY_LIMIT,
    requestTimeoutMs: config.HISTORY_TIMEOUT_MS,
  });
  await bus.consumeJobs(
    'summaryJob',
    { stream: 'LLM_SUMMARIES', durable: consumers.llmSummaries.durable, ackWaitMs: config.JOB_ACK_WAIT_MS, maxDeliver: -1, maxAckPending: 1_000 },
    { concurrency: config.SUMMARY_CONCURRENCY, heartbeatMs: Math.floor(config.JOB_ACK_WAIT_MS / 3), retryDelayMs: config.SUMMARY_RETRY_DELAY_MS },
    handler,
  );
}
