import type { Delivery } from '@chatbot/bus';
import type { LlmJobV1 } from '@chatbot/proto';
import { messageLogger, type IncidentLog, type Logger } from '@chatbot/runtime';
import type { Answerer } from '../answering/answer.types';
import type { Memory } from '../answering/conversation.memory';
import type { DispatchMetrics } from '../dispatch.metrics';
import type { AnsweredCheck } from './answered.check';
import type { AttemptCounter } from './attempt.counter';
import { failureCode } from './failure.classifier';
import type { ReplyPublisher } from './reply.publisher';
import { bounceDelayMs, type SessionHeadGuard } from './session-head.guard';

export interface JobHandlerDeps {
  head: Pick<SessionHeadGuard, 'isHead'>;
  attempts: Pick<AttemptCounter, 'record'>;
  /** Whether chat-log already released a reply to the job's message (asked on a second attempt). */
  answered: AnsweredCheck;
  answerer: Answerer;
  publisher: ReplyPublisher;
  metrics: DispatchMetrics;
  /** A failed job is an incident: its id goes in the log line and on the dashboard. */
  incidents: Pick<IncidentLog, 'open'>;
  logger: Logger;
  maxAttempts: number;
}

type Job = Delivery<LlmJobV1>;

/**
 * One delivery of an llm job: hand it back unless it is its session's head, drop a job attempted
 * before whose message chat-log has answered since (a redelivery after a broker crash), give up on
 * a job that failed too often, else answer it. Returning acks the job (consumeJobs); a settled job
 * is left be.
 *
 * Before the model is called, the steps that need not wait for one another overlap: a first
 * delivery (usually its session's head) reads its memory while the head is checked, and
 * dropped if it is not the head; the attempt is recorded (one KV write) while memory loads. The
 * attempt is still recorded before any work that could kill the worker (the model call and the
 * tools), so the poison bound holds; loading memory is two bus requests that never throw.
 */
export function createJobHandler(deps: JobHandlerDeps): (job: Job) => Promise<void> {
  return async (job) => {
    const { payload, correlationId } = job;
    const log = messageLogger(deps.logger, { subject: job.subject, sessionId: payload.session_id, messageId: payload.message_id, correlationId });
    if (payload.session_id !== job.token) {
      log.warn({ token: job.token }, 'job payload names another session than its subject; dropped');
      return job.term();
    }
    const firstDelivery = job.deliveryCount === 1;
    const early = firstDelivery ? deps.answerer.prefetch?.(payload, correlationId, log) : undefined;
    if (!(await deps.head.isHead(job))) {
      deps.metrics.bounces.inc();
      return job.nak(bounceDelayMs());
    }
    deps.publisher.typing(payload, correlationId, log);
    const memory = early ?? deps.answerer.prefetch?.(payload, correlationId, log);
    const attempt = await deps.attempts.record(payload, firstDelivery);
    if (attempt > 1 && (await deps.answered(payload, log))) {
      log.warn({ attempt }, 'job already answered (its acknowledgement was lost); not asking the model again');
      deps.metrics.jobs.inc({ outcome: 'already_answered' });
      return;
    }
    if (attempt > 1) deps.metrics.redeliveries.inc();
    if (attempt > deps.maxAttempts) return giveUp(job, deps, log.child({ attempt }));
    await answerJob(job, deps, log.child({ attempt }), memory);
  };
}

async function answerJob(job: Job, deps: JobHandlerDeps, log: Logger, memory: Promise<Memory> | undefined): Promise<void> {
  const { payload, correlationId } = job;
  const startedAt = performance.now();
  log.debug({ content: payload.text }, 'answering');
  const deltas = deps.publisher.deltas(payload, correlationId, log);
  let answer;
  try {
    // Held-back text goes out before the candidate, whatever the outcome.
    answer = await deps.answerer.answer({ job: payload, correlationId, log, deltas, memory }).finally(() => deltas.close());
  } catch (error) {
    const code = failureCode(error);
    if (!code) throw error;
    const incident_id = deps.incidents.open(code, job.subject);
    log.warn({ err: error, code, incident_id }, 'answer failed, publishing a failure reply');
    await deps.publisher.failure(payload, correlationId, code);
    deps.metrics.jobs.inc({ outcome: 'failed' });
    return;
  }
  await deps.publisher.answer(payload, correlationId, answer);
  deps.metrics.jobs.inc({ outcome: 'answered' });
  const ms = Math.round(performance.now() - startedAt);
  log.info({ tool: answer.fields.tool_name ?? null, usage: answer.usage, ms }, 'answered');
}

/** A poison job (every attempt crashed or threw): the user gets a failure reply, the queue moves on. */
async function giveUp(job: Job, deps: JobHandlerDeps, log: Logger): Promise<void> {
  const incident_id = deps.incidents.open('E5004', job.subject);
  log.error({ maxAttempts: deps.maxAttempts, incident_id }, 'job failed too many times, giving up');
  await deps.publisher.failure(job.payload, job.correlationId, 'E5004');
  deps.metrics.jobs.inc({ outcome: 'poison' });
  // No reason text: nats-server 2.9 ignores a `+TERM <reason>` and would redeliver the job.
  job.term();
}
