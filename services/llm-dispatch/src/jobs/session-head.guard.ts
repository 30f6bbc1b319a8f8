import type { Bus, Delivery } from '@chatbot/bus';
import { consumers, type LlmJobV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';

export type HeadBus = Pick<Bus, 'jsm' | 'ns'>;

/** Orphans removed in one check at the most; past that the job is handed back and checks again. */
const MAX_ORPHANS_PER_CHECK = 8;

/**
 * A session's head is its oldest job still in the LLM_JOBS work queue. Acknowledged jobs leave a
 * work-queue stream, so once the head is answered the next one becomes head: whatever worker
 * holds a job, a session is answered one message at a time, in order.
 *
 * A broker killed with kill -9 can come back with jobs it had already acknowledged still in the
 * stream (the consumer's ack floor was written, the removal was not). Such an orphan is never
 * delivered again, so as head it would stall its session for good: a head at or below the
 * consumer's ack floor is removed, as the work queue would have done, and the next one looked at.
 */
export class SessionHeadGuard {
  private readonly stream: string;

  constructor(private readonly bus: HeadBus, private readonly logger?: Logger) {
    this.stream = bus.ns.stream('LLM_JOBS');
  }

  async isHead(job: Delivery<LlmJobV1>): Promise<boolean> {
    for (let removed = 0; removed <= MAX_ORPHANS_PER_CHECK; removed++) {
      const head = await this.headSeq(job);
      if (head === null || head >= job.streamSeq) return true;
      if (head > (await this.ackFloor())) return false;
      await this.removeOrphan(head, job.subject);
    }
    return false;
  }

  private async headSeq(job: Delivery<LlmJobV1>): Promise<number | null> {
    // Direct get (the stream allows it): the first message on this exact subject from sequence 1.
    const head = await this.bus.jsm.direct.getMessage(this.stream, { next_by_subj: this.bus.ns.subject(job.subject), seq: 1 });
    return head === null ? null : head.seq;
  }

  /** Every job at or below this stream sequence is acknowledged. */
  private async ackFloor(): Promise<number> {
    const info = await this.bus.jsm.consumers.info(this.stream, consumers.llmDispatch.durable);
    return info.ack_floor.stream_seq;
  }

  private async removeOrphan(seq: number, subject: string): Promise<void> {
    this.logger?.warn({ subject, streamSeq: seq }, 'removing an acknowledged job the broker kept after a crash');
    // Another worker may have removed it first: then it is gone, which is all that was wanted.
    await this.bus.jsm.streams.deleteMessage(this.stream, seq, false).catch(() => undefined);
  }
}

/** Redelivery delay of a job that is not its session's head: short, spread so they do not herd. */
export function bounceDelayMs(random: () => number = Math.random): number {
  return 100 + Math.floor(random() * 200);
}
