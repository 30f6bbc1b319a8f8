import type { Bus, Delivery } from '@chatbot/bus';
import type { LlmJobV1 } from '@chatbot/proto';

export type HeadBus = Pick<Bus, 'jsm' | 'ns'>;

/**
 * A session's head is its oldest job still in the LLM_JOBS work queue. Acknowledged jobs leave a
 * work-queue stream, so once the head is answered the next one becomes head: whatever worker
 * holds a job, a session is answered one message at a time, in order.
 */
export class SessionHeadGuard {
  private readonly stream: string;

  constructor(private readonly bus: HeadBus) {
    this.stream = bus.ns.stream('LLM_JOBS');
  }

  async isHead(job: Delivery<LlmJobV1>): Promise<boolean> {
    // Direct get (the stream allows it): the first message on this exact subject from sequence 1.
    const head = await this.bus.jsm.direct.getMessage(this.stream, {
      next_by_subj: this.bus.ns.subject(job.subject),
      seq: 1,
    });
    return head === null || head.seq >= job.streamSeq;
  }
}

/** Redelivery delay of a job that is not its session's head: short, spread so they do not herd. */
export function bounceDelayMs(random: () => number = Math.random): number {
  return 100 + Math.floor(random() * 200);
}
