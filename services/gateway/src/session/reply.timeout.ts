import type { Bus } from '@chatbot/bus';
import { UNAVAILABLE_MESSAGE, type ChatReplyV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import { deleteFrom } from './prompt.ledger';

/**
 * One timer per prompt awaiting its reply, started at the broker's ack. Starting it again
 * restarts it (typing and deltas move the deadline); a fired timer is forgotten, so later
 * progress cannot re-arm it.
 */
export class ReplyTimers {
  /** Only while a timer runs (see deleteFrom). */
  private timers?: Map<string, NodeJS.Timeout>;

  constructor(
    private readonly timeoutMs: number,
    private readonly onTimeout: (messageId: string) => void,
  ) {}

  start(messageId: string): void {
    const running = this.timers?.get(messageId);
    if (running) return void running.refresh();
    const fire = () => {
      this.timers = deleteFrom(this.timers, messageId);
      this.onTimeout(messageId);
    };
    (this.timers ??= new Map()).set(messageId, setTimeout(fire, this.timeoutMs));
  }

  stop(messageId: string): void {
    clearTimeout(this.timers?.get(messageId));
    this.timers = deleteFrom(this.timers, messageId);
  }

  clear(): void {
    for (const timer of this.timers?.values() ?? []) clearTimeout(timer);
    this.timers = undefined;
  }
}

/** What the gateway tells chat-log after a timeout, so the turn is recorded and order moves on. */
export function timeoutCandidate(sessionId: string, messageId: string): ChatReplyV1 {
  return {
    reply_id: `timeout:${sessionId}:${messageId}`,
    session_id: sessionId,
    kind: 'failure',
    prompt_message_id: messageId,
    answer: { message: UNAVAILABLE_MESSAGE, login_required: false },
    source: 'gateway',
    error_code: 'E5001',
    produced_at: new Date().toISOString(),
  };
}

type FailureDeps = { bus: Bus; logger: Logger };

/** Publishes the timeout's failure candidate; a broker that does not take it is only logged. */
export function publishTimeoutFailure(deps: FailureDeps, sessionId: string, messageId: string, correlationId: string): Promise<unknown> {
  const { bus, logger } = deps;
  const candidate = timeoutCandidate(sessionId, messageId);
  const context = { subject: 'chat.reply.v1', sessionId, messageId, correlationId };
  logger.warn(context, 'no reply in time: answered unavailable');
  return bus
    .publish('chatReply', sessionId, candidate, { msgId: candidate.reply_id, correlationId })
    .catch((error: unknown) => logger.warn({ ...context, err: error }, 'failure candidate not published'));
}
