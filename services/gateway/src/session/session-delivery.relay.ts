import { performance } from 'node:perf_hooks';
import type { Bus } from '@chatbot/bus';
import { errorCatalogue, type CommittedFrame, type ErrorCode, type SessionDeliveryV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { BrokerLink } from '../broker.link';
import { encodeReply, encodeUnavailable, encodeV2, type Protocol } from '../socket/frame.codec';
import type { GatewayMetrics } from '../gateway.metrics';
import { timeoutCandidate, type PendingPrompt, type PendingReplies, type TimeoutVerdict } from './reply.timeout';
import { fetchMissedFrames, fetchPromptStatus } from './session.resume';
import type { SocketOutbox } from '../socket/socket.outbox';

export interface DeliveryRelayDeps {
  bus: Bus;
  logger: Logger;
  metrics: GatewayMetrics;
  requestTimeoutMs: number;
  link: BrokerLink;
  track(work: Promise<unknown>): void;
}

type Progress = Extract<SessionDeliveryV1, { type: 'typing' | 'delta' }>;

/** Broker → client for one socket: committed frames in seq order, progress, rejections, timeouts. */
export class DeliveryRelay {
  /** Held back until the session frame (and a resume replay) went out. */
  private held: SessionDeliveryV1[] | null = [];
  /** Frames that arrived past a gap in seq, kept until the frames before them are fetched. */
  private ahead: CommittedFrame[] | null = null;

  constructor(
    private readonly deps: DeliveryRelayDeps,
    private readonly sessionId: string,
    private readonly protocol: Protocol,
    private readonly pending: PendingReplies,
    private readonly outbox: SocketOutbox,
  ) {}

  deliver(delivery: SessionDeliveryV1): void {
    if (this.held) {
      this.held.push(delivery);
      return;
    }
    const messageId = delivery.type === 'frame' ? delivery.frame.prompt_message_id : delivery.message_id;
    if (this.protocol === 2 && messageId && this.pending.inFlight(messageId)) {
      this.pending.hold(messageId, delivery); // v2 promises `accepted` before anything else for it
      return;
    }
    switch (delivery.type) {
      case 'frame':
        return this.relayFrame(delivery.frame);
      case 'stored':
        if (this.protocol === 2) this.outbox.send('stored', encodeV2.stored(delivery.message_id, this.outbox.seq));
        return;
      case 'typing':
      case 'delta':
        return this.relayProgress(delivery);
      case 'rejected':
        return this.reject(delivery.message_id, rejectionCode(delivery.code));
    }
  }

  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const delivery of held) this.deliver(delivery);
  }

  async replay(afterSeq: number): Promise<void> {
    const missed = await fetchMissedFrames(this.deps, this.sessionId, afterSeq);
    if (!missed.resync) {
      for (const frame of missed.frames) this.showFrame(frame);
      return;
    }
    // chat-log's last seq, also below the client's claim (unknown_seq): the next frame follows it,
    // and a claim kept as the socket's seq would drop the frames up to it as already seen.
    this.outbox.seq = missed.lastSeq;
    this.outbox.send('resync', encodeV2.resync(missed.reason, this.outbox.seq));
  }

  /**
   * Committed frames travel on core NATS: one published while this gateway's link was down, or
   * before its subscriptions were back, is gone. chat-log still has it, so after a reconnect (and
   * at a timeout) the socket fetches what came after its last seq; a seq it holds is dropped.
   * A chat-log that does not answer changes nothing: the reply timer still runs.
   */
  async catchUp(): Promise<void> {
    if (this.held) return; // still opening: its own subscription and replay cover it
    await this.fetchMissed();
  }

  /** Shows what chat-log committed after this socket's last seq, in order (a fetch is contiguous). */
  private async fetchMissed(): Promise<void> {
    const missed = await fetchMissedFrames(this.deps, this.sessionId, this.outbox.seq);
    if (!missed.resync) return missed.frames.forEach((frame) => this.showFrame(frame));
    if (missed.reason === 'frames_expired' && this.protocol === 2) {
      this.outbox.seq = Math.max(this.outbox.seq, missed.lastSeq);
      this.outbox.send('resync', encodeV2.resync(missed.reason, this.outbox.seq));
    }
  }

  /** Frames before `ahead` were lost on the way: fetch them, then show everything in seq order. */
  private async fillGap(): Promise<void> {
    await this.fetchMissed();
    const ahead = (this.ahead ?? []).sort((a, b) => a.seq - b.seq);
    this.ahead = null;
    for (const frame of ahead) this.showFrame(frame); // what the fetch already showed is dropped
  }

  /**
   * A resend the broker dropped as a duplicate (sent before, on another socket or before a
   * resume): chat-log says whether it is stored (or refused) and hands over the frame that
   * answered it, which settles the prompt like any frame (a seq already delivered is not shown
   * again). A message not answered yet stays pending: its frame comes live.
   */
  recheck(messageId: string, correlationId: string): void {
    const work = fetchPromptStatus(this.deps, this.sessionId, messageId, correlationId).then((status) => {
      if (status?.message === 'other_session') return this.deliver({ type: 'rejected', message_id: messageId, code: 'E4008' });
      if (status?.message === 'stored') this.deliver({ type: 'stored', message_id: messageId });
      if (status?.frame) this.deliver({ type: 'frame', frame: status.frame });
    });
    this.deps.track(work);
  }

  /**
   * The user learns now that the answer is late; chat-log records a failure so the turn is not
   * blocked. v1 has no resume, so its unavailable frame is final. v2 gets an error frame and then
   * whichever reply chat-log commits first (the late answer or this failure): a frame the gateway
   * made up could not be replayed after a reconnect and would disagree with the committed one.
   */
  timedOut(prompt: PendingPrompt): TimeoutVerdict {
    const { metrics } = this.deps;
    metrics.timeouts.inc();
    if (this.protocol === 1) this.outbox.send('reply', encodeUnavailable(this.protocol, prompt.messageId, this.outbox.seq));
    else this.outbox.error('E5001', errorCatalogue.E5001.text, prompt.messageId);
    this.publishFailure(prompt);
    this.deps.track(this.catchUp()); // the answer may be committed and its frame lost on the way
    return this.protocol === 1 ? 'answered' : 'told';
  }

  private publishFailure(prompt: PendingPrompt): void {
    const { bus, logger } = this.deps;
    const candidate = timeoutCandidate(this.sessionId, prompt.messageId);
    const context = { subject: 'chat.reply.v1', sessionId: this.sessionId, messageId: prompt.messageId, correlationId: prompt.correlationId };
    logger.warn(context, 'no reply in time: answered unavailable');
    const work = bus
      .publish('chatReply', this.sessionId, candidate, { msgId: candidate.reply_id, correlationId: prompt.correlationId })
      .catch((error: unknown) => logger.warn({ ...context, err: error }, 'failure candidate not published'));
    this.deps.track(work);
  }

  /** chat-log refused the message (its id belongs to another session): no reply will come. */
  private reject(messageId: string, code: ErrorCode): void {
    this.pending.settle(messageId, 'rejected');
    this.outbox.error(code, errorCatalogue[code].text, messageId);
  }

  /** Live frames: one that skips a seq waits for the missing ones, so the client never sees a gap. */
  private relayFrame(frame: CommittedFrame): void {
    if (this.ahead) return void this.ahead.push(frame);
    if (frame.seq <= this.outbox.seq + 1) return this.showFrame(frame);
    this.ahead = [frame];
    this.deps.metrics.seqGaps.inc();
    this.deps.track(this.fillGap());
  }

  private showFrame(frame: CommittedFrame): void {
    const { metrics } = this.deps;
    const promptId = frame.prompt_message_id;
    if (frame.seq <= this.outbox.seq) {
      // Already delivered (to this client, or before its resume): a resend of it is answered.
      if (promptId !== null) this.pending.answered(promptId);
      return metrics.drop('duplicate');
    }
    this.outbox.seq = frame.seq;
    if (promptId !== null && this.pending.answeredLocally(promptId)) return metrics.drop('answered');
    const prompt = promptId === null ? undefined : this.pending.settle(promptId, 'replied');
    if (prompt?.acceptedAt !== undefined) metrics.replyLatency.observe((performance.now() - prompt.acceptedAt) / 1000);
    this.outbox.send('reply', encodeReply(this.protocol, frame, frame.seq));
  }

  private relayProgress(delivery: Progress): void {
    // A settled prompt is being answered again (its message re-sent after the broker's dedupe
    // window reached the LLM a second time): that answer will be dropped, so is its progress.
    if (this.pending.isSettled(delivery.message_id)) return this.deps.metrics.drop('answered');
    const prompt = this.pending.progress(delivery.message_id);
    if (delivery.type === 'typing') {
      if (this.protocol === 2) this.outbox.send('typing', encodeV2.typing(delivery.message_id, this.outbox.seq));
      return;
    }
    if (prompt?.acceptedAt !== undefined && prompt.firstTokenAt === undefined) {
      prompt.firstTokenAt = performance.now();
      this.deps.metrics.firstToken.observe((prompt.firstTokenAt - prompt.acceptedAt) / 1000);
    }
    if (this.protocol === 2) this.outbox.send('delta', encodeV2.delta(delivery.message_id, delivery.index, delivery.text, this.outbox.seq));
  }
}

function rejectionCode(code: string): ErrorCode {
  return code in errorCatalogue ? (code as ErrorCode) : 'E4008';
}
