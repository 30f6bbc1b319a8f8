import { errorCatalogue, type ClientChatFrame, type CommittedFrame, type ErrorCode, type SessionDeliveryV1 } from '@chatbot/proto';
import { rateLimitedText, type DecodedFrame, type Protocol, type ServerFrame, type ServerFrameBody } from '../socket/frame.codec';
import { AT_HEAD } from '../socket/ws.handshake';
import { deleteFrom, PromptLedger, type Outcome, type PendingPrompt } from './prompt.ledger';
import type { MissedFrames, PromptStatus } from './session.resume';

/** One client frame as judged on arrival (rate limits, decoding). */
export type Arrival =
  | { kind: 'limited'; retryAfterMs: number; messageId?: string }
  | { kind: 'binary' }
  | { kind: 'decoded'; decoded: DecodedFrame };

/** Why committed frames are fetched from chat-log: a resume, a reconnect or timeout, a seq gap. */
export type FetchPurpose = 'replay' | 'catchUp' | 'gap';

/** What the socket's order asks of the I/O around it, in the order given. */
export type Effect =
  | { kind: 'send'; frame: ServerFrame }
  | { kind: 'publish'; frame: ClientChatFrame; correlationId: string }
  | { kind: 'fetchFrames'; purpose: FetchPurpose; afterSeq: number }
  | { kind: 'fetchPrompt'; messageId: string; correlationId: string }
  | { kind: 'startTimer' | 'stopTimer'; messageId: string }
  | { kind: 'publishFailure'; messageId: string; correlationId: string }
  | { kind: 'handoff'; correlationId: string }
  | { kind: 'drop'; reason: 'duplicate' | 'answered' }
  | { kind: 'count'; metric: 'seqGaps' | 'timeouts' }
  | { kind: 'observe'; metric: 'replyLatency' | 'firstToken'; seconds: number }
  /** The socket's access token expired and no reply is in progress: it may close now. */
  | { kind: 'expired' };

export interface SocketOrderOptions {
  sessionId: string;
  protocol: Protocol;
  /** The client's last seen seq when it resumes (v2), else null. */
  resumeFrom: number | null;
  /** A correlation id for each publish. */
  newId(): string;
  /** A monotonic clock in ms, for the latency figures. */
  now(): number;
  /** The socket's access token can expire: replies in progress are tracked so the close waits for them. */
  expires?: boolean;
}

/** What a message sent after the socket's access token expired gets instead of a publish. */
export const TOKEN_EXPIRED_TEXT = 'Access token expired: refresh it and reconnect, then send again';

/**
 * `opening`: the session frame has not gone out, so client frames and deliveries wait.
 * `replaying`: it has; client frames are acted on, deliveries wait for the resume's missed frames.
 */
type Phase = 'opening' | 'replaying' | 'live' | 'closed';

/** Effects are only emitted inside a step: one emitted outside would throw here, not vanish. */
const BETWEEN_STEPS: Effect[] = Object.freeze([]) as unknown as Effect[];

/** Refused frames held for an E4004 notice while the session opens; later ones get no notice. */
const HELD_REFUSALS = 16;

/**
 * The order of everything one socket's client sees, as a state machine without I/O: each event
 * (a client frame, the broker's ack, a delivery, fetched frames, a timer) returns the effects to
 * run. The client sees its session frame first; for each message `accepted` before its typing,
 * deltas, `stored` and reply; committed frames in seq order without gaps, each once; and exactly
 * one bot frame per message (v1) or the committed reply after any timeout notice (v2).
 */
export class SocketOrder {
  private phase: Phase = 'opening';
  /** The seq of the last committed frame the client has (or had when it resumed). */
  private seq: number;
  private heldArrivals: Arrival[] = [];
  private heldRefusals = 0;
  private heldDeliveries: SessionDeliveryV1[] = [];
  /** Frames that arrived past a gap in seq, kept until the frames before them are fetched. */
  private ahead: CommittedFrame[] | null = null;
  /** Joined at the head without learning it (chat-log away): the first live frame sets the seq. */
  private unanchored = false;
  private readonly prompts = new PromptLedger();
  /**
   * Publishes awaiting the broker's ack, by correlation id; `began`: it registered the prompt.
   * Only while a publish awaits its ack (see deleteFrom).
   */
  private publishes?: Map<string, { messageId: string; began: boolean }>;
  private effects: Effect[] = BETWEEN_STEPS;
  /** The access token expired: no message is taken, the socket closes once no reply is in progress. */
  private expiring = false;
  private expiredSent = false;
  /** Replies being streamed (typing or deltas seen, no committed frame yet), this socket's or another's. */
  private readonly streaming: Set<string> | null;

  constructor(private readonly options: SocketOrderOptions) {
    this.seq = options.resumeFrom ?? 0;
    this.streaming = options.expires ? new Set() : null;
  }

  /** The session's subscriptions are in place: the session frame goes out, then what waited. */
  open(): Effect[] {
    return this.step(() => {
      if (this.phase !== 'opening') return;
      this.phase = 'replaying';
      const { sessionId, resumeFrom } = this.options;
      this.send({ type: 'session', sessionId, resumed: resumeFrom !== null });
      if (!this.holdsArrivals()) this.actOnHeld();
      if (resumeFrom === null) return this.goLive();
      this.emit({ kind: 'fetchFrames', purpose: 'replay', afterSeq: resumeFrom });
    });
  }

  /** A client frame, judged on arrival so that frames held while opening still spent their tokens. */
  arrive(arrival: Arrival): Effect[] {
    return this.step(() => {
      if (!this.holdsArrivals()) return this.act(arrival);
      if (arrival.kind === 'limited' && ++this.heldRefusals > HELD_REFUSALS) return;
      this.heldArrivals.push(arrival);
    });
  }

  /** The broker has the message: `accepted` first, then what came for it meanwhile; its timer starts. */
  accepted(correlationId: string, duplicate: boolean): Effect[] {
    return this.step(() => {
      const publish = this.takePublish(correlationId);
      if (!publish) return;
      const { messageId, began } = publish;
      this.sendV2({ type: 'accepted', messageId });
      const prompt = this.prompts.current(messageId, correlationId); // none: answered before the ack
      if (prompt) {
        prompt.acceptedAt = this.options.now();
        this.arm(prompt);
        this.release(prompt);
      }
      // Sent before (another socket, before a resume): no new frame comes unless chat-log says so.
      if (began && duplicate) this.emit({ kind: 'fetchPrompt', messageId, correlationId });
    });
  }

  /** Never silence: the user learns at once that this message was not taken. */
  publishFailed(correlationId: string): Effect[] {
    return this.step(() => {
      const publish = this.takePublish(correlationId);
      if (!publish) return;
      const { messageId, began } = publish;
      const prompt = this.prompts.current(messageId, correlationId);
      // v2: "not taken, resend"; should the publish land after all, what comes for it is shown.
      if (this.options.protocol === 2) {
        if (prompt) {
          this.prompts.forget(messageId);
          this.release(prompt);
        }
        return this.error('E5006', errorCatalogue.E5006.text, messageId);
      }
      // v1: the unavailable frame is the message's one bot frame; a resend of a message still
      // pending gets its frame from the first attempt.
      if (!began) return;
      if (prompt) this.settle(messageId, 'unavailable');
      this.send({ type: 'unavailable', messageId });
    });
  }

  /** One delivery from the session's subject: a committed frame, `stored`, progress, a refusal. */
  deliver(delivery: SessionDeliveryV1): Effect[] {
    return this.step(() => this.relay(delivery));
  }

  /** chat-log's answer to a fetch this order asked for. */
  fetched(purpose: FetchPurpose, missed: MissedFrames): Effect[] {
    return this.step(() => {
      if (purpose === 'replay') {
        this.replayed(missed);
        return this.goLive();
      }
      this.showMissed(missed);
      if (purpose === 'gap') this.showAhead();
    });
  }

  /**
   * chat-log's word on a resend the broker dropped as a duplicate: its refusal, `stored`, and
   * the frame that answered it are delivered like live ones (a seq already shown is dropped).
   * Unknown or unanswered: the prompt stays pending and its frame comes live.
   */
  promptStatus(messageId: string, status: PromptStatus | undefined): Effect[] {
    return this.step(() => {
      if (status?.message === 'other_session') return this.relay({ type: 'rejected', message_id: messageId, code: 'E4008' });
      if (status?.message === 'stored') this.relay({ type: 'stored', message_id: messageId });
      if (status?.frame) this.relay({ type: 'frame', frame: status.frame });
      if (status?.handed) this.relay({ type: 'handed', message_id: messageId, status: status.handed });
    });
  }

  /**
   * A reply timer fired and chat-log was asked about the message first: one it answered or handed
   * to a person (the `handed` notice travels on core NATS and can be lost) is settled as such, and
   * the timeout that follows finds nothing left to time out. Otherwise the timeout stands.
   */
  timedOut(messageId: string, status: PromptStatus | undefined): Effect[] {
    const known = this.step(() => {
      if (status?.handed) this.relay({ type: 'handed', message_id: messageId, status: status.handed });
      else if (status?.frame) this.relay({ type: 'frame', frame: status.frame });
    });
    return [...known, ...this.timeout(messageId)];
  }

  /**
   * chat-log refused the user's handoff request (a closed conversation; E4005 for a session with
   * nothing stored yet, or one this caller may not use) or could not be asked.
   */
  handoffRefused(code: 'E4005' | 'E4030' | 'E5003' | 'E5006'): Effect[] {
    return this.step(() => this.error(code, errorCatalogue[code].text));
  }

  /**
   * A reply timer fired: the user learns now that the answer is late, and chat-log is given a
   * failure so the turn is not blocked. v1 has no resume, so its unavailable frame is final. v2
   * gets an error frame and then whichever reply chat-log commits first (the late answer or this
   * failure): a frame made up here could not be replayed after a reconnect.
   */
  timeout(messageId: string): Effect[] {
    return this.step(() => {
      const prompt = this.prompts.get(messageId);
      if (!prompt?.timerArmed) return;
      prompt.timerArmed = false; // fired: progress must not restart it
      this.emit({ kind: 'count', metric: 'timeouts' });
      if (this.options.protocol === 1) this.send({ type: 'unavailable', messageId });
      else this.error('E5001', errorCatalogue.E5001.text, messageId);
      this.emit({ kind: 'publishFailure', messageId, correlationId: prompt.correlationId });
      this.catchUp(); // the answer may be committed and its frame lost on the way
      if (this.options.protocol === 1) this.prompts.settle(messageId, 'timeout');
    });
  }

  /**
   * The broker link is back. Committed frames travel on core NATS, so one published while it was
   * down is gone; chat-log still has it. A socket awaiting a reply fetches what came after its seq.
   */
  reconnected(): Effect[] {
    return this.step(() => {
      if (this.prompts.size > 0) this.catchUp();
    });
  }

  /**
   * The access token expired. Messages are refused from now on (not published: the client sends
   * them again after refreshing); `expired` comes once no reply is in progress, so no stream is cut.
   */
  expire(): Effect[] {
    return this.step(() => void (this.expiring = true));
  }

  /** The socket closed: nothing more is sent or asked for; the I/O stops its timers. */
  close(): void {
    this.phase = 'closed';
    this.heldArrivals = [];
    this.heldDeliveries = [];
    this.ahead = null;
  }

  private step(work: () => void): Effect[] {
    if (this.phase === 'closed') return [];
    const effects: Effect[] = [];
    this.effects = effects;
    work();
    if (this.expiring && !this.expiredSent && this.quiet()) {
      this.expiredSent = true;
      this.emit({ kind: 'expired' });
    }
    // Not kept between events: an idle socket would otherwise hold its last effects for good.
    this.effects = BETWEEN_STEPS;
    return effects;
  }

  /** Live, with nothing of this socket awaiting the broker or a reply, and no reply streaming. */
  private quiet(): boolean {
    const streams = this.streaming?.size ?? 0;
    return this.phase === 'live' && this.ahead === null && (this.publishes?.size ?? 0) === 0 && this.prompts.size === 0 && streams === 0;
  }

  private goLive(): void {
    this.phase = 'live';
    const held = this.heldDeliveries;
    this.heldDeliveries = [];
    for (const delivery of held) this.relay(delivery);
    this.actOnHeld();
  }

  /**
   * Client frames wait for the session frame; a seed client joining at the head waits until the
   * head is known too, so no answer to its own message can be taken for an old frame.
   */
  private holdsArrivals(): boolean {
    return this.phase === 'opening' || (this.phase === 'replaying' && this.options.resumeFrom === AT_HEAD);
  }

  private actOnHeld(): void {
    const arrivals = this.heldArrivals;
    this.heldArrivals = [];
    for (const arrival of arrivals) this.act(arrival);
  }

  private act(arrival: Arrival): void {
    if (arrival.kind === 'limited') {
      const { retryAfterMs, messageId } = arrival;
      return this.error('E4004', rateLimitedText(retryAfterMs), messageId, retryAfterMs);
    }
    if (arrival.kind === 'binary') return this.error('E4009', 'Binary frames are not supported; send JSON text');
    const { decoded } = arrival;
    if (!decoded.ok) return this.error(decoded.code, decoded.error, decoded.messageId);
    // An expired token asks for nothing more, a person included.
    if (this.expiring) return this.error('E4012', TOKEN_EXPIRED_TEXT, 'handoff' in decoded ? undefined : decoded.frame.message_id);
    if ('handoff' in decoded) return this.emit({ kind: 'handoff', correlationId: this.options.newId() });
    this.publish(decoded.frame);
  }

  /** A resend of a pending or answered message is published again but not tracked twice. */
  private publish(frame: ClientChatFrame): void {
    const messageId = frame.message_id;
    // A resend gets what the first one got; for a refused id that is the refusal again.
    if (this.prompts.refused(messageId)) return this.error('E4008', errorCatalogue.E4008.text, messageId);
    const correlationId = this.options.newId();
    const began = this.prompts.begin(messageId, correlationId) !== undefined;
    (this.publishes ??= new Map()).set(correlationId, { messageId, began });
    this.emit({ kind: 'publish', frame, correlationId });
  }

  /** Each publish is answered once, by its ack or its failure. */
  private takePublish(correlationId: string): { messageId: string; began: boolean } | undefined {
    const publish = this.publishes?.get(correlationId);
    this.publishes = deleteFrom(this.publishes, correlationId);
    return publish;
  }

  private relay(delivery: SessionDeliveryV1): void {
    if (this.phase !== 'live') return void this.heldDeliveries.push(delivery);
    const messageId = delivery.type === 'frame' ? delivery.frame.prompt_message_id : delivery.message_id;
    // v2 promises `accepted` before anything else for a message; a worker can beat the broker's ack.
    if (this.options.protocol === 2 && messageId !== null && this.prompts.inFlight(messageId)) {
      return void this.prompts.get(messageId)?.held.push(delivery);
    }
    switch (delivery.type) {
      case 'frame':
        return this.relayFrame(delivery.frame);
      case 'stored':
        return this.sendV2({ type: 'stored', messageId: delivery.message_id });
      case 'typing':
      case 'delta':
        return this.relayProgress(delivery);
      case 'rejected':
        return this.reject(delivery.message_id, rejectionCode(delivery.code));
      case 'handed':
        return this.handed(delivery.message_id, delivery.status);
    }
  }

  /** An agent answers this message, not the assistant: its reply timer stops, no reply frame follows. */
  private handed(messageId: string, status: 'bot' | 'waiting' | 'agent' | 'completed'): void {
    // told again for a resend of a message this socket already settled
    if (this.prompts.isSettled(messageId) && !this.prompts.get(messageId)) return this.emit({ kind: 'drop', reason: 'answered' });
    this.settle(messageId, 'handed');
    this.sendV2({ type: 'handed', messageId, status });
  }

  /** chat-log refused the message (its id is another session's): no reply will come. */
  private reject(messageId: string, code: ErrorCode): void {
    this.streaming?.delete(messageId);
    this.settle(messageId, 'rejected');
    this.error(code, errorCatalogue[code].text, messageId);
  }

  /** Live frames: one that skips a seq waits for the missing ones, so the client never sees a gap. */
  private relayFrame(frame: CommittedFrame): void {
    if (this.unanchored) {
      this.unanchored = false;
      this.seq = frame.seq - 1;
    }
    if (this.ahead) return void this.ahead.push(frame);
    if (frame.seq <= this.seq + 1) return this.show(frame);
    this.ahead = [frame];
    this.emit({ kind: 'count', metric: 'seqGaps' });
    this.emit({ kind: 'fetchFrames', purpose: 'gap', afterSeq: this.seq });
  }

  private show(frame: CommittedFrame): void {
    const promptMessageId = frame.prompt_message_id;
    if (promptMessageId !== null) this.streaming?.delete(promptMessageId);
    if (frame.seq <= this.seq) {
      // Already delivered (to this client, or before its resume): a resend of it is answered,
      // and a local outcome (the user had the unavailable frame) is kept.
      if (promptMessageId !== null && !this.prompts.answeredLocally(promptMessageId)) this.settle(promptMessageId, 'replied');
      return this.emit({ kind: 'drop', reason: 'duplicate' });
    }
    this.seq = frame.seq;
    if (promptMessageId !== null && this.prompts.answeredLocally(promptMessageId)) return this.emit({ kind: 'drop', reason: 'answered' });
    const prompt = promptMessageId === null ? undefined : this.settle(promptMessageId, 'replied');
    if (prompt?.acceptedAt !== undefined) this.observe('replyLatency', prompt.acceptedAt, this.options.now());
    this.send({ type: 'reply', frame });
  }

  private relayProgress(delivery: Extract<SessionDeliveryV1, { type: 'typing' | 'delta' }>): void {
    const messageId = delivery.message_id;
    // A settled prompt is being answered again (its message re-sent after the broker's dedupe
    // window reached the LLM a second time): that answer will be dropped, so is its progress.
    if (this.prompts.isSettled(messageId)) return this.emit({ kind: 'drop', reason: 'answered' });
    const prompt = this.prompts.get(messageId);
    if (prompt?.timerArmed) this.emit({ kind: 'startTimer', messageId }); // the assistant is working
    this.streaming?.add(messageId);
    if (delivery.type === 'typing') return this.sendV2({ type: 'typing', messageId });
    if (prompt?.acceptedAt !== undefined && prompt.firstTokenAt === undefined) {
      prompt.firstTokenAt = this.options.now();
      this.observe('firstToken', prompt.acceptedAt, prompt.firstTokenAt);
    }
    this.sendV2({ type: 'delta', messageId, index: delivery.index, text: delivery.text });
  }

  /** Resume: the frames the client missed, or a resync at chat-log's last seq (also below the claim). */
  private replayed(missed: MissedFrames): void {
    if (this.options.resumeFrom === AT_HEAD) return this.joinedAtHead(missed);
    if (!missed.resync) return missed.frames.forEach((frame) => this.show(frame));
    // A claim kept as the seq would drop the frames up to it as already seen.
    this.seq = missed.lastSeq;
    this.streaming?.clear();
    this.send({ type: 'resync', reason: missed.reason });
  }

  /** A seed client joining a session sees none of its past frames, only what comes next. */
  private joinedAtHead(missed: MissedFrames): void {
    if (missed.resync && missed.reason === 'unknown_seq') this.seq = missed.lastSeq;
    else this.unanchored = true;
  }

  /** What chat-log committed after this socket's seq (a fetch is contiguous). */
  private showMissed(missed: MissedFrames): void {
    if (!missed.resync) return missed.frames.forEach((frame) => this.show(frame));
    if (missed.reason === 'frames_expired' && this.options.protocol === 2) {
      this.seq = Math.max(this.seq, missed.lastSeq);
      this.streaming?.clear(); // the client reloads the history: what streamed is in it
      this.send({ type: 'resync', reason: missed.reason });
    }
  }

  /** After the gap's fetch: the frames that came ahead, in seq order (the fetched ones are dropped). */
  private showAhead(): void {
    const ahead = (this.ahead ?? []).sort((a, b) => a.seq - b.seq);
    this.ahead = null;
    for (const frame of ahead) this.show(frame);
  }

  /** Still opening: its own subscription and replay cover what a catch-up would fetch. */
  private catchUp(): void {
    if (this.phase === 'live') this.emit({ kind: 'fetchFrames', purpose: 'catchUp', afterSeq: this.seq });
  }

  private release(prompt: PendingPrompt): void {
    const held = prompt.held;
    prompt.held = [];
    for (const delivery of held) this.relay(delivery);
  }

  private arm(prompt: PendingPrompt): void {
    prompt.timerArmed = true;
    this.emit({ kind: 'startTimer', messageId: prompt.messageId });
  }

  private settle(messageId: string, outcome: Outcome): PendingPrompt | undefined {
    const prompt = this.prompts.settle(messageId, outcome);
    if (prompt?.timerArmed) this.emit({ kind: 'stopTimer', messageId });
    return prompt;
  }

  private observe(metric: 'replyLatency' | 'firstToken', from: number, to: number): void {
    this.emit({ kind: 'observe', metric, seconds: (to - from) / 1000 });
  }

  private send(body: ServerFrameBody): void {
    this.emit({ kind: 'send', frame: { ...body, seq: this.seq } });
  }

  /** v1 clients see only their session frame, bot frames and errors. */
  private sendV2(body: ServerFrameBody): void {
    if (this.options.protocol === 2) this.send(body);
  }

  private error(code: ErrorCode, text: string, messageId?: string, retryAfterMs?: number): void {
    this.send({ type: 'error', code, text, messageId, retryAfterMs });
  }

  private emit(effect: Effect): void {
    this.effects.push(effect);
  }
}

function rejectionCode(code: string): ErrorCode {
  return code in errorCatalogue ? (code as ErrorCode) : 'E4008';
}
