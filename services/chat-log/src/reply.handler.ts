import type { Delivery } from '@chatbot/bus';
import type { ChatReplyV1 } from '@chatbot/proto';
import { messageLogger, type Logger } from '@chatbot/runtime';
import type { ChatLogMetrics } from './chat-log.metrics';
import type { DbRetry } from './db-retry';
import type { PromptWatch } from './prompt.watch';
import type { ReplyCommitter } from './reply.committer';
import type { Verdict } from './reply.planner';

type Candidate = Delivery<ChatReplyV1>;

interface Deps {
  committer: ReplyCommitter;
  retry: DbRetry;
  watch: PromptWatch;
  /** Longest a candidate is held in memory for its prompt before the broker retries it. */
  holdMs: number;
  metrics: ChatLogMetrics;
  logger: Logger;
}

/** Broker retry of a candidate whose prompt is still missing: 15 ms, doubling up to 30 s. */
export const waitingDelayMs = (deliveryCount: number) => Math.min(30_000, 15 * 2 ** Math.min(11, deliveryCount - 1));

/**
 * Commits a micro-batch of reply candidates. A cache answer often arrives before its prompt is
 * stored (the cache answers in about 2 ms, the store takes about 10): such a candidate is held
 * here and committed as soon as this process has stored the prompt. Held too long, on shutdown,
 * or when it was delivered before (its prompt is not about to be stored here), it is nak'ed with
 * a short, growing delay. Everything else is acked: committed or dropped.
 */
export function createReplyHandler(deps: Deps) {
  return async (batch: Candidate[]): Promise<void> => {
    deps.metrics.batchSize.observe({ consumer: 'replies' }, batch.length);
    const waiting = await commitAndSettle(deps, batch);
    const fresh = waiting.filter((d) => d.deliveryCount === 1);
    defer(deps, waiting.filter((d) => d.deliveryCount > 1));
    defer(deps, await hold(deps, fresh));
  };
}

/**
 * Holds the candidates (un-acked) while the consumer waits: bounded by `holdMs`, far below the
 * ack wait. Returns those whose prompt was not stored in time.
 */
async function hold(deps: Deps, candidates: Candidate[]): Promise<Candidate[]> {
  const deadline = Date.now() + deps.holdMs;
  let pending = candidates;
  while (pending.length > 0) {
    const stored = await deps.watch.next(new Set(pending.map(promptOf)), deadline);
    if (stored.size === 0) break;
    const ready = pending.filter((d) => stored.has(promptOf(d)));
    pending = pending.filter((d) => !stored.has(promptOf(d)));
    const still = await commitAndSettle(deps, ready);
    deps.metrics.repliesHeld.inc(ready.length - still.length);
    defer(deps, still);
  }
  return pending;
}

/** Commits the candidates, settles all but the `waiting` ones, which it returns. */
async function commitAndSettle(deps: Deps, candidates: Candidate[]): Promise<Candidate[]> {
  if (candidates.length === 0) return [];
  const correlations = new Map(candidates.map((d) => [d.payload.reply_id, d.correlationId]));
  const verdicts = await deps.committer.commit(
    candidates.map((d) => d.payload),
    { correlations, guard: (task) => deps.retry.run('commit-replies', candidates, task) },
  );
  candidates.forEach((delivery, i) => settle(deps.logger, delivery, verdicts[i]));
  return candidates.filter((_, i) => verdicts[i] === 'waiting');
}

function defer(deps: Deps, candidates: Candidate[]) {
  for (const delivery of candidates) {
    delivery.nak(waitingDelayMs(delivery.deliveryCount));
    deps.metrics.repliesDeferred.inc();
    logFor(deps.logger, delivery).debug(facts(delivery), 'prompt not stored yet, candidate retried later');
  }
}

function settle(logger: Logger, delivery: Candidate, verdict: Verdict) {
  if (verdict === 'waiting') return;
  delivery.ack();
  const log = logFor(logger, delivery);
  if (verdict === 'commit') log.debug(facts(delivery), 'reply committed');
  else if (verdict === 'duplicate') log.info(facts(delivery), 'prompt already answered, candidate dropped');
  else log.warn({ ...facts(delivery), verdict }, 'candidate dropped');
}

/** Only answers and failures wait, and they always name their prompt. */
const promptOf = (delivery: Candidate) => delivery.payload.prompt_message_id ?? '';

const facts = ({ payload }: Candidate) => ({ replyId: payload.reply_id, kind: payload.kind, source: payload.source });

const logFor = (logger: Logger, { payload, subject, correlationId }: Candidate) =>
  messageLogger(logger, {
    subject,
    sessionId: payload.session_id,
    messageId: payload.prompt_message_id ?? payload.reply_id,
    correlationId,
  });
