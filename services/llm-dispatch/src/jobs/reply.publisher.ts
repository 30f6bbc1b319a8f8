import type { Bus } from '@chatbot/bus';
import { UNAVAILABLE_MESSAGE, type ChatReplyV1, type ErrorCode, type LlmJobV1, type SessionDeliveryV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { Answer } from '../answering/answer.types';
import { DeltaCoalescer, type DeltaStream, type Schedule } from './delta.coalescer';

export type ReplyBus = Pick<Bus, 'publish'>;

/** One id per prompt: the broker drops a second candidate a redelivered job would publish. */
export function replyIdOf(job: Pick<LlmJobV1, 'session_id' | 'message_id'>): string {
  return `reply:${job.session_id}:${job.message_id}`;
}

export interface ReplyPublisherOptions {
  /** DELTA_COALESCE_MS: text streamed within this window after a delta goes out as one delta. */
  deltaWindowMs: number;
  now?: () => Date;
  schedule?: Schedule;
}

/**
 * Typing and deltas go straight to the gateway holding the socket (core NATS, fire and forget);
 * the final answer is a JetStream candidate that chat-log commits.
 */
export class ReplyPublisher {
  private readonly now: () => Date;

  constructor(
    private readonly bus: ReplyBus,
    private readonly options: ReplyPublisherOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  typing(job: LlmJobV1, correlationId: string, log: Logger): void {
    this.live(job, { type: 'typing', message_id: job.message_id }, correlationId, log);
  }

  /**
   * Deltas numbered 0, 1, 2 … per job, so the gateway can order and de-duplicate them; the first
   * piece of text goes out at once, later ones joined per window (delta.coalescer.ts).
   */
  deltas(job: LlmJobV1, correlationId: string, log: Logger): DeltaStream {
    let index = 0;
    const send = (text: string) => {
      this.live(job, { type: 'delta', message_id: job.message_id, index, text }, correlationId, log);
      index += 1;
    };
    return new DeltaCoalescer(send, this.options.deltaWindowMs, this.options.schedule);
  }

  async answer(job: LlmJobV1, correlationId: string, answer: Answer): Promise<void> {
    await this.candidate(job, correlationId, {
      kind: 'answer',
      answer: answer.fields,
      ...(answer.usage ? { usage: answer.usage } : {}),
    });
  }

  async failure(job: LlmJobV1, correlationId: string, errorCode: ErrorCode): Promise<void> {
    await this.candidate(job, correlationId, {
      kind: 'failure',
      answer: { message: UNAVAILABLE_MESSAGE, login_required: false },
      error_code: errorCode,
    });
  }

  private async candidate(
    job: LlmJobV1,
    correlationId: string,
    reply: Pick<ChatReplyV1, 'kind' | 'answer' | 'usage' | 'error_code'>,
  ): Promise<void> {
    const replyId = replyIdOf(job);
    const payload: ChatReplyV1 = {
      reply_id: replyId,
      session_id: job.session_id,
      prompt_message_id: job.message_id,
      source: 'llm-dispatch',
      produced_at: this.now().toISOString(),
      ...reply,
    };
    await this.bus.publish('chatReply', job.session_id, payload, { msgId: replyId, correlationId });
  }

  private live(job: LlmJobV1, frame: SessionDeliveryV1, correlationId: string, log: Logger): void {
    this.bus.publish('sessionDelivery', job.session_id, frame, { correlationId }).catch((error: unknown) => {
      log.debug({ err: error, type: frame.type }, 'live frame not sent');
    });
  }
}
