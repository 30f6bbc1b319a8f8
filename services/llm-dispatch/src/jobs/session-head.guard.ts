import { requeueMessage, type Bus, type Delivery, type OrphanScope } from '@chatbot/bus';
import { consumers, type LlmJobV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';

export type HeadBus = Pick<Bus, 'js' | 'jsm' | 'ns'>;

/**
 * A session's head is its oldest job still in the LLM_JOBS work queue. Acknowledged jobs leave a
 * work-queue stream, so once the head is answered the next one becomes head: whatever worker
 * holds a job, a session is answered one message at a time, in order.
 *
 * A nats-server restarted after kill -9 can keep a job pending without ever delivering it again;
 * as head it would hold its session's later jobs back until the stream's max age (24 h). A head
 * older than `stuckAfterMs` (longer than any one reply takes) is therefore requeued: published
 * again at the end of the queue and removed. Its session moves on; chat-log still shows the
 * replies in the order the user sent the messages. If the old head was alive after all, its
 * answer and the copy's are one reply each for the same prompt, and chat-log keeps the first.
 */
export class SessionHeadGuard {
  private readonly scope: OrphanScope;

  constructor(private readonly bus: HeadBus, private readonly stuckAfterMs: number, logger: Logger) {
    this.scope = { js: bus.js, jsm: bus.jsm, stream: bus.ns.stream('LLM_JOBS'), durable: consumers.llmDispatch.durable, logger };
  }

  async isHead(job: Delivery<LlmJobV1>, now = Date.now()): Promise<boolean> {
    // Direct get (the stream allows it): the first message on this exact subject from sequence 1.
    const head = await this.scope.jsm.direct.getMessage(this.scope.stream, { next_by_subj: this.bus.ns.subject(job.subject), seq: 1 });
    if (head === null || head.seq >= job.streamSeq) return true;
    if (now - head.time.getTime() > this.stuckAfterMs) await requeueMessage(this.scope, head.seq);
    return false;
  }
}

/** Redelivery delay of a job that is not its session's head: short, spread so they do not herd. */
export function bounceDelayMs(random: () => number = Math.random): number {
  return 100 + Math.floor(random() * 200);
}
