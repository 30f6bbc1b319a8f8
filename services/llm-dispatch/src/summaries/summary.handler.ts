import type { Bus, Delivery } from '@chatbot/bus';
import type { HistoryTurn, SummaryJobV1 } from '@chatbot/proto';
import { isAppError, messageLogger, type Logger } from '@chatbot/runtime';
import type { ModelCaller } from '../answering/model.caller';
import { failureCode } from '../jobs/failure.classifier';
import type { LiveSettings } from '../settings/live.settings';
import { extractiveSummary } from './extractive.summarizer';
import { llmSummary, SummaryFormatError } from './llm.summarizer';
import type { SummaryText } from './summary.types';

export interface SummaryHandlerDeps {
  bus: Pick<Bus, 'request'>;
  /** Absent without LLM_BASE_URL: every summary is extractive. */
  model?: ModelCaller;
  settings: Pick<LiveSettings, 'current'>;
  logger: Logger;
  /** Deliveries of one job; the last one writes an extractive summary rather than fail again. */
  maxAttempts: number;
  historyLimit: number;
  requestTimeoutMs: number;
}

type SummaryJob = Delivery<SummaryJobV1>;

/**
 * One summary job: read the conversation from chat-log, summarise it (the model, or the
 * conversation's own words), and have chat-log keep it under the transition's key. Returning acks
 * the job; throwing has it redelivered with backoff (consumeJobs). Bounded: the model is tried on
 * every delivery but the last, which writes an extractive summary; a job that still fails after
 * twice `maxAttempts` deliveries (chat-log unreachable all that time) is dropped with an error log.
 */
export function createSummaryHandler(deps: SummaryHandlerDeps): (job: SummaryJob) => Promise<void> {
  return async (job) => {
    const { payload, correlationId } = job;
    const log = messageLogger(deps.logger, { subject: job.subject, sessionId: payload.session_id, correlationId })
      .child({ trigger: payload.trigger, version: payload.version, attempt: job.deliveryCount });
    if (job.deliveryCount > deps.maxAttempts * 2) {
      log.error('summary job failed too many times, giving up');
      return job.term();
    }
    const ask = { timeoutMs: deps.requestTimeoutMs, correlationId, waitForResponder: true };
    if (job.deliveryCount > 1 && (await alreadyStored(deps, payload, ask))) return void log.info('summary already stored (a lost acknowledgement)');
    const { turns } = await deps.bus.request('history', { session_id: payload.session_id, limit: deps.historyLimit }, ask);
    const { text, source } = await summarise(deps, turns, job.deliveryCount, log);
    try {
      const { stored } = await deps.bus.request('summarySave', { session_id: payload.session_id, trigger: payload.trigger, version: payload.version, source, ...text }, ask);
      log.info({ source, stored, category: text.category }, stored ? 'summary written' : 'summary was written before; kept the first');
    } catch (error) {
      // chat-log does not know the conversation: no delivery will change that.
      if (!isAppError(error) || error.code !== 'E4005') throw error;
      log.warn('summary for a conversation chat-log does not know; dropped');
      job.term();
    }
  };
}

async function alreadyStored(deps: SummaryHandlerDeps, job: SummaryJobV1, ask: { timeoutMs: number; correlationId: string }): Promise<boolean> {
  try {
    const { history } = await deps.bus.request('summaryGet', { session_id: job.session_id }, ask);
    return history.some((summary) => summary.trigger === job.trigger && summary.version === job.version);
  } catch {
    return false; // the save below is idempotent anyway
  }
}

async function summarise(deps: SummaryHandlerDeps, turns: HistoryTurn[], attempt: number, log: Logger): Promise<{ text: SummaryText; source: 'llm' | 'extractive' }> {
  const settings = deps.settings.current();
  const input = { turns, categories: settings.handoff.categories };
  if (!deps.model || attempt >= deps.maxAttempts) return { text: extractiveSummary(input), source: 'extractive' };
  try {
    return { text: await llmSummary(deps.model, input, { model: settings.model }), source: 'llm' };
  } catch (error) {
    if (error instanceof SummaryFormatError) {
      log.warn({ content: error.raw.slice(0, 500) }, 'the model answered off-format; writing an extractive summary');
      return { text: extractiveSummary(input), source: 'extractive' };
    }
    log.warn({ err: error, code: failureCode(error) }, 'the model failed; the summary job will be tried again');
    throw error;
  }
}
