import type { Bus, Delivery, QueuedMessage } from '@chatbot/bus';
import { consumers, type LlmJobV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { AnsweredCheck } from './answered.check';

export type HeadBus = Pick<Bus, 'oldestQueued' | 'requeue' | 'removeQueued' | 'connectedSince' | 'parse'>;

/** A head queued this long may be one a restarted broker keeps although it was answered: ask chat-log. */
export const ANSWERED_CHECK_AFTER_MS = 2_000;
/** And ask again about the same head at most this often (a long answer is asked about a few times). */
const ANSWERED_RECHECK_MS = 2_000;
const CHECKS_REMEMBERED = 1_000;

/**
 * A session's head is its oldest job still in the LLM_JOBS work queue. Acknowledged jobs leave a
 * work-queue stream, so once the head is answered the next one becomes head: whatever worker
 * holds a job, a session is answered one message at a time, in order.
 *
 * A nats-server restarted after kill -9 can keep a job without ever delivering it again. Most such
 * jobs were answered just before the crash and lost their acknowledgement: a head queued before
 * this worker's connection last came back, and longer than ANSWERED_CHECK_AFTER_MS, whose message
 * chat-log has released a reply for is removed, and its session moves on at once. (A head queued
 * since was seen by a live broker, so chat-log is not asked while the broker stays up.)
 *
 * Any other head older than `stuckAfterMs` (longer than any one reply takes) is requeued:
 * published again at the end of the queue and removed. Its session moves on; chat-log still shows
 * the replies in the order the user sent the messages. If the old head was alive after all, its
 * answer and the copy's are one reply each for the same prompt, and chat-log keeps the first.
 */
export class SessionHeadGuard {
  /** Head sequence → when chat-log was last asked about it. */
  private readonly asked = new Map<number, number>();

  constructor(
    private readonly bus: HeadBus,
    private readonly stuckAfterMs: number,
    private readonly answered: AnsweredCheck,
    private readonly logger: Logger,
  ) {}

  async isHead(job: Delivery<LlmJobV1>, now = Date.now()): Promise<boolean> {
    const head = await this.bus.oldestQueued('llmJob', job.token);
    if (head === null || head.seq >= job.streamSeq) return true;
    const queuedMs = now - head.queuedAt.getTime();
    if (queuedMs > this.stuckAfterMs) await this.bus.requeue(consumers.llmDispatch, head.seq);
    else if (this.mayBeLeftByCrash(head.queuedAt, queuedMs) && this.dueForCheck(head.seq, now)) await this.dropIfAnswered(head);
    return false;
  }

  private mayBeLeftByCrash(queuedAt: Date, queuedMs: number): boolean {
    return queuedMs > ANSWERED_CHECK_AFTER_MS && queuedAt < this.bus.connectedSince;
  }

  private dueForCheck(seq: number, now: number): boolean {
    const last = this.asked.get(seq);
    if (last !== undefined && now - last < ANSWERED_RECHECK_MS) return false;
    if (this.asked.size >= CHECKS_REMEMBERED) this.asked.clear();
    this.asked.set(seq, now);
    return true;
  }

  private async dropIfAnswered(head: QueuedMessage): Promise<void> {
    const { seq } = head;
    const job = this.bus.parse('llmJob', head);
    if (!job) return; // not a job this guard can ask about (logged); the stuck limit still applies
    const log = this.logger.child({ stream: consumers.llmDispatch.stream, streamSeq: seq, sessionId: job.session_id, messageId: job.message_id });
    if (!(await this.answered(job, log))) return;
    await this.bus.removeQueued(consumers.llmDispatch.stream, seq);
    this.asked.delete(seq);
    log.warn('removed a queued head job chat-log had already answered (a broker crash lost its acknowledgement)');
  }
}

/** Redelivery delay of a job that is not its session's head: short, spread so they do not herd. */
export function bounceDelayMs(random: () => number = Math.random): number {
  return 100 + Math.floor(random() * 200);
}
