import { UNAVAILABLE_MESSAGE, type ServerFrameV2 } from '@chatbot/proto';

/** One final bot frame the client received for a message. */
export interface ReplyRecord {
  /** The frame's seq; for a durable frame its own number, else the seq of the last durable one. */
  seq: number;
  at: number;
  text: string;
  /** A committed reply (new seq), as opposed to the gateway's local "unavailable" frame. */
  durable: boolean;
  unavailable: boolean;
  /** The `handed` frame: an agent answers this message, the assistant does not. */
  handed?: boolean;
}

/** What the client knows about one message it sent. */
export interface SentMessage {
  id: string;
  text: string;
  index: number;
  firstSentAt: number;
  lastSentAt: number;
  sends: number;
  /** When the next resend is due (moved by error frames that say when to retry). */
  resendAt: number;
  acceptedAt?: number;
  storedAt?: number;
  /** `stored` frames received (a resend of a stored message gets one more). */
  storedFrames: number;
  /** E5006 frames: the broker did not take it (NATS away). */
  refusals: number;
  errors: string[];
  firstProgressAt?: number;
  deltas: number;
  /** typing/delta frames that arrived after the message already had its final frame. */
  lateProgress: number;
  replies: ReplyRecord[];
}

export type FrameEffect = 'none' | 'gap' | 'resync';

/**
 * The protocol bookkeeping of one v2 session, free of I/O: which messages were sent, what came
 * back for each, and the session's durable sequence (seq) with its gaps and duplicate copies.
 */
export class SessionLedger {
  readonly messages = new Map<string, SentMessage>();
  readonly order: string[] = [];
  /** Highest durable seq received. */
  maxSeq = 0;
  /** Every durable seq up to this one was received: where a resume starts. */
  contiguousSeq = 0;
  /** Copies of a durable frame already received (replays, outbox re-publishes), dropped. */
  copies = 0;
  /** Durable frames that arrived with seqs missing before them. */
  gapsSeen = 0;
  /** Reply frames for no message this client sent (a login push would be one). */
  foreign = 0;
  /** Durable agent messages and status changes received, by seq (the handoff). */
  readonly handoffFrames: Array<{ seq: number; type: 'agent' | 'status'; at: number }> = [];
  malformed = 0;
  readonly resyncs: Array<{ reason: string; at: number }> = [];
  readonly errorCodes = new Map<string, number>();
  /** Messages with at least one final frame. */
  private answered = 0;
  private readonly seqOwner = new Map<number, string>();

  add(id: string, text: string, now: number): SentMessage {
    const message: SentMessage = {
      id, text, index: this.order.length, firstSentAt: now, lastSentAt: now, sends: 0, resendAt: now,
      storedFrames: 0, refusals: 0, errors: [], deltas: 0, lateProgress: 0, replies: [],
    };
    this.messages.set(id, message);
    this.order.push(id);
    return message;
  }

  /** Message ids missing from the durable sequence 1..maxSeq. */
  missingSeqs(): number[] {
    const missing: number[] = [];
    for (let seq = this.contiguousSeq + 1; seq < this.maxSeq; seq++) if (!this.seqOwner.has(seq)) missing.push(seq);
    return missing;
  }

  unanswered(): number {
    return this.order.length - this.answered;
  }

  onFrame(frame: ServerFrameV2, now: number, retryMs: number): FrameEffect {
    switch (frame.type) {
      case 'accepted':
        return this.touch(frame.message_id, (m) => (m.acceptedAt ??= now));
      case 'stored':
        return this.touch(frame.message_id, (m) => {
          m.storedAt ??= now;
          m.storedFrames++;
        });
      case 'typing':
      case 'delta':
        return this.touch(frame.message_id, (m) => {
          m.firstProgressAt ??= now;
          if (frame.type === 'delta') m.deltas++;
          if (m.replies.length > 0) m.lateProgress++;
        });
      case 'reply':
        return this.onReply(frame, now);
      case 'agent':
      case 'status':
        return this.onHandoffFrame(frame, now);
      case 'handed':
        return this.touch(frame.message_id, (m) => {
          if (m.replies.some((r) => r.handed)) return; // told again for a resend
          if (m.replies.length === 0) this.answered++;
          m.replies.push({ seq: frame.seq, at: now, text: '', durable: false, unavailable: false, handed: true });
        });
      case 'error':
        return this.onError(frame, now, retryMs);
      case 'resync':
        this.resyncs.push({ reason: frame.reason, at: now });
        this.maxSeq = Math.max(this.maxSeq, frame.seq);
        this.contiguousSeq = Math.max(this.contiguousSeq, frame.seq);
        return 'resync';
      case 'session':
        return 'none';
    }
  }

  private touch(id: string, update: (message: SentMessage) => void): FrameEffect {
    const message = this.messages.get(id);
    if (message) update(message);
    return 'none';
  }

  /** An agent's message or a status change: durable, owned by no message of this client. */
  private onHandoffFrame(frame: Extract<ServerFrameV2, { type: 'agent' | 'status' }>, now: number): FrameEffect {
    const claim = this.claim(frame.seq, frame.message_id);
    if (claim.durable) this.handoffFrames.push({ seq: frame.seq, type: frame.type, at: now });
    return claim.effect;
  }

  /** A durable seq: a copy of one held, a new one (maybe past a gap), or an old one. */
  private claim(seq: number, id: string): { effect: FrameEffect; durable: boolean; copy: boolean } {
    const owner = this.seqOwner.get(seq);
    if (owner === id) {
      this.copies++;
      return { effect: 'none', durable: false, copy: true };
    }
    const durable = seq > this.contiguousSeq && owner === undefined;
    let effect: FrameEffect = 'none';
    if (durable) {
      this.seqOwner.set(seq, id);
      if (seq > this.contiguousSeq + 1) {
        effect = 'gap';
        this.gapsSeen++;
      }
      this.maxSeq = Math.max(this.maxSeq, seq);
      while (this.seqOwner.has(this.contiguousSeq + 1)) this.contiguousSeq++;
    }
    return { effect, durable, copy: false };
  }

  private onReply(frame: Extract<ServerFrameV2, { type: 'reply' }>, now: number): FrameEffect {
    const message = this.messages.get(frame.message_id);
    const { effect, durable, copy } = this.claim(frame.seq, frame.message_id);
    if (copy) return 'none';
    if (!message) {
      this.foreign++;
      return effect;
    }
    const unavailable = frame.message === UNAVAILABLE_MESSAGE;
    if (message.replies.length === 0) this.answered++;
    message.replies.push({ seq: frame.seq, at: now, text: frame.message, durable, unavailable });
    return effect;
  }

  private onError(frame: Extract<ServerFrameV2, { type: 'error' }>, now: number, retryMs: number): FrameEffect {
    this.errorCodes.set(frame.code, (this.errorCodes.get(frame.code) ?? 0) + 1);
    const message = frame.message_id === undefined ? undefined : this.messages.get(frame.message_id);
    if (!message) return 'none';
    if (frame.code === 'E5006') {
      message.refusals++;
      message.resendAt = now + retryMs;
    } else if (frame.code === 'E4004') {
      message.resendAt = now + (frame.retry_after_ms ?? retryMs);
    } else {
      message.errors.push(frame.code);
    }
    return 'none';
  }
}
