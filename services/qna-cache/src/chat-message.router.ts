import type { Bus, Delivery } from '@chatbot/bus';
import type { ChatReplyV1, ChatStoredV1 } from '@chatbot/proto';
import { inSpan, messageLogger, type Logger } from '@chatbot/runtime';
import type { AnswerCache, CacheHit } from './answer.cache';
import type { QnaMetrics } from './qna.metrics';
import type { ViewTally } from './view.tally';
import type { HandoffCategories } from './escalation/handoff-categories';

export interface RouterDeps {
  bus: Bus;
  cache: AnswerCache;
  views: ViewTally;
  metrics: QnaMetrics;
  logger: Logger;
  /** The FAQ categories the chatbot settings hand to a person. */
  categories: Pick<HandoffCategories, 'escalates'>;
  /** How long chat-log may take to apply a handoff. */
  handoffTimeoutMs: number;
}

type Stored = Delivery<ChatStoredV1>;
/** A message's child logger, built only for a line that is written (routing logs at debug). */
type LogFor = () => Logger;

/** Deliveries grouped by session, each group in stream order. */
function bySession(batch: Stored[]): Stored[][] {
  const groups = new Map<string, Stored[]>();
  for (const delivery of batch) {
    const group = groups.get(delivery.payload.session_id);
    if (group) group.push(delivery);
    else groups.set(delivery.payload.session_id, [delivery]);
  }
  return [...groups.values()];
}

export function cacheReply(message: ChatStoredV1, hit: CacheHit, now: Date): ChatReplyV1 {
  return {
    reply_id: `cache:${message.session_id}:${message.message_id}`,
    session_id: message.session_id,
    kind: 'answer',
    prompt_message_id: message.message_id,
    answer: hit.answer,
    source: 'qna-cache',
    produced_at: now.toISOString(),
  };
}

/**
 * Routes the messages chat-log stored (chat.stored): answers exact FAQ/term matches at once (and
 * hands the conversation to a person when the FAQ's category is listed in the chatbot settings) and
 * forwards everything else to the LLM work queue, with every message that brings its own system
 * prompt (the cached answers were written for the deployment's prompt).
 * A session's messages are handled strictly one after another, so its jobs enter the queue in
 * the order the user sent them (and a failed publish stops the ones after it); different
 * sessions of a batch proceed side by side. The bus acks the batch only when this returns, i.e.
 * after every publish was acknowledged by the broker.
 */
export function createChatMessageRouter(deps: RouterDeps) {
  const answer = async (delivery: Stored, hit: CacheHit, log: LogFor) => {
    const reply = cacheReply(delivery.payload, hit, new Date());
    await deps.bus.publish('chatReply', reply.session_id, reply, { msgId: reply.reply_id, correlationId: delivery.correlationId });
    deps.metrics.cacheHits.inc({ kind: hit.kind });
    if (deps.logger.isLevelEnabled('debug')) log().debug({ kind: hit.kind, id: hit.id }, 'answered from cache');
    if (hit.kind === 'faq' && deps.categories.escalates(hit.category)) await escalate(delivery, hit.category, log);
  };

  /**
   * After the FAQ answer (the user reads it, then the status change): asks chat-log to hand the
   * conversation to a person, as the user's own handoff request would. chatlog.handoff.v1 is
   * idempotent, so a redelivered batch asks again harmlessly; a failure fails the batch, which is
   * redelivered (the answer's copy is dropped by its msgId) and asks again.
   */
  const escalate = async (delivery: Stored, category: string, log: LogFor) => {
    const command = { session_id: delivery.payload.session_id, action: 'handoff' as const, actor_id: null };
    const result = await deps.bus.request('handoff', command, { timeoutMs: deps.handoffTimeoutMs, correlationId: delivery.correlationId });
    deps.metrics.escalations.inc({ outcome: result.outcome });
    log().info({ category, outcome: result.outcome }, 'FAQ category escalated to a person');
  };

  const forward = async (delivery: Stored, log: LogFor) => {
    const { session_id, message_id, text, received_at, history, system_prompt } = delivery.payload;
    const job = { session_id, message_id, text, received_at, history, ...(system_prompt === undefined ? {} : { system_prompt }) };
    const ack = await deps.bus.publish('llmJob', session_id, job, {
      msgId: `job:${session_id}:${message_id}`,
      correlationId: delivery.correlationId,
    });
    deps.metrics.cacheMisses.inc();
    // A redelivered message republishes its job; the broker drops the copy by its msgId.
    if (!ack?.duplicate) deps.metrics.jobsForwarded.inc();
    if (deps.logger.isLevelEnabled('debug')) log().debug({ duplicate: ack?.duplicate ?? false }, 'forwarded to the LLM queue');
  };

  const route = (delivery: Stored): Promise<CacheHit | undefined> =>
    inSpan('qna-cache answer', { parent: delivery.trace }, () => routeOne(delivery));

  const routeOne = async (delivery: Stored): Promise<CacheHit | undefined> => {
    const log = () =>
      messageLogger(deps.logger, {
        subject: delivery.subject,
        sessionId: delivery.payload.session_id,
        messageId: delivery.payload.message_id,
        correlationId: delivery.correlationId,
      });
    // A message with its own system prompt asked the model something else than the FAQ answers
    const hit = delivery.payload.system_prompt === undefined ? deps.cache.lookup(delivery.payload.text) : undefined;
    if (hit) await answer(delivery, hit, log);
    else await forward(delivery, log);
    return hit;
  };

  const routeSession = async (session: Stored[]): Promise<CacheHit[]> => {
    const hits: CacheHit[] = [];
    for (const delivery of session) {
      const hit = await route(delivery);
      if (hit) hits.push(hit);
    }
    return hits;
  };

  return async (batch: Stored[]): Promise<void> => {
    const sessions = bySession(batch);
    const outcomes = await Promise.allSettled(sessions.map(routeSession));
    deps.logger.debug({ size: batch.length, sessions: sessions.length }, 'batch routed');
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    // The whole batch is redelivered, so its views are counted when it finally succeeds.
    if (failed) throw failed.reason;
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') outcome.value.forEach((hit) => deps.views.count(hit));
    }
  };
}
