import { UNAVAILABLE_MESSAGE, type ChatReplyV1, type SessionDeliveryV1 } from '@chatbot/proto';

/** A message of this socket that was sent to the broker and has no bot frame yet. */
export interface PendingPrompt {
  messageId: string;
  correlationId: string;
  /** performance.now() at the broker's ack; undefined while the publish is in flight. */
  acceptedAt?: number;
  firstTokenAt?: number;
  timer?: NodeJS.Timeout;
  /** Deliveries for it that overtook the broker's ack; v2 sees `accepted` first, then these. */
  held?: SessionDeliveryV1[];
}

/** `unavailable`: the broker could not take it, and a v1 user already got the unavailable frame. */
type Outcome = 'replied' | 'timeout' | 'rejected' | 'unavailable';

/**
 * What the user was given when the timer fired: `answered` (v1: the unavailable bot frame, which is
 * that message's one frame) or `told` (v2: an error frame; the committed `reply` still follows,
 * so a resumed session and a live one end with the same final frame).
 */
export type TimeoutVerdict = 'answered' | 'told';

/** How many settled prompts a socket remembers, to drop late frames and ignore resends. */
const SETTLED_MEMORY = 512;

/**
 * Tracks the prompts of one socket until each has its one bot frame. The timer starts at the
 * broker's ack and restarts on progress (typing, deltas); when it fires, `onTimeout` answers.
 */
export class PendingReplies {
  private readonly pending = new Map<string, PendingPrompt>();
  private readonly settled = new Map<string, Outcome>();

  /** Where deliveries held back until the ack go once it arrived (set by the connection). */
  release: (delivery: SessionDeliveryV1) => void = () => {};

  constructor(
    private readonly timeoutMs: number,
    private readonly onTimeout: (prompt: PendingPrompt) => TimeoutVerdict,
  ) {}

  /** Is this message's publish still waiting for the broker's ack? */
  inFlight(messageId: string): boolean {
    const prompt = this.pending.get(messageId);
    return prompt !== undefined && prompt.acceptedAt === undefined;
  }

  /** Keeps a delivery until the message's ack (a worker can be faster than the ack's way back). */
  hold(messageId: string, delivery: SessionDeliveryV1): void {
    const prompt = this.pending.get(messageId);
    if (prompt) (prompt.held ??= []).push(delivery);
  }

  private releaseHeld(prompt: PendingPrompt): void {
    const held = prompt.held ?? [];
    prompt.held = undefined;
    for (const delivery of held) this.release(delivery);
  }

  /** Registers a message before its publish; undefined when it is already pending or answered. */
  begin(messageId: string, correlationId: string): PendingPrompt | undefined {
    if (this.pending.has(messageId) || this.settled.has(messageId)) return undefined;
    const prompt: PendingPrompt = { messageId, correlationId };
    this.pending.set(messageId, prompt);
    return prompt;
  }

  /** The broker has the message: from now on the user is owed a frame within the timeout. */
  accepted(prompt: PendingPrompt, now: number): void {
    if (this.pending.get(prompt.messageId) !== prompt) return; // answered before the ack arrived
    prompt.acceptedAt = now;
    prompt.timer = setTimeout(() => this.expire(prompt), this.timeoutMs);
    this.releaseHeld(prompt);
  }

  /** The publish failed: the message was never accepted, so nothing is owed for it. */
  cancel(prompt: PendingPrompt): void {
    if (this.pending.get(prompt.messageId) !== prompt) return;
    clearTimeout(prompt.timer);
    this.pending.delete(prompt.messageId);
    this.releaseHeld(prompt); // it landed after all: what came for it is still the user's
  }

  /**
   * The publish failed or timed out and the user got the unavailable frame: a publish that still
   * reaches the broker later may be answered, and that frame must then be dropped.
   */
  unavailable(prompt: PendingPrompt): void {
    if (this.pending.get(prompt.messageId) !== prompt) return;
    this.settle(prompt.messageId, 'unavailable');
  }

  /** Typing or a delta: the assistant is working, so the deadline moves. */
  progress(messageId: string): PendingPrompt | undefined {
    const prompt = this.pending.get(messageId);
    prompt?.timer?.refresh();
    return prompt;
  }

  settle(messageId: string, outcome: Outcome): PendingPrompt | undefined {
    const prompt = this.pending.get(messageId);
    if (prompt) {
      clearTimeout(prompt.timer);
      this.pending.delete(messageId);
    }
    this.remember(messageId, outcome);
    return prompt;
  }

  /** True when the user already got the unavailable frame (or an error) for this prompt. */
  answeredLocally(messageId: string): boolean {
    const outcome = this.settled.get(messageId);
    return outcome !== undefined && outcome !== 'replied';
  }

  /** True when chat-log refused the message (its id is another session's): a resend is refused too. */
  refused(messageId: string): boolean {
    return this.settled.get(messageId) === 'rejected';
  }

  /** True once the prompt has its bot frame, of any kind: typing and deltas for it are stale. */
  isSettled(messageId: string): boolean {
    return this.settled.has(messageId);
  }

  /**
   * A frame answering the prompt arrived again (a resend answered with the committed frame, the
   * outbox): it is answered, so a pending resend stops waiting; a local outcome is kept.
   */
  answered(messageId: string): void {
    if (!this.answeredLocally(messageId)) this.settle(messageId, 'replied');
  }

  get size(): number {
    return this.pending.size;
  }

  clear(): void {
    for (const prompt of this.pending.values()) clearTimeout(prompt.timer);
    this.pending.clear();
  }

  private expire(prompt: PendingPrompt): void {
    if (this.pending.get(prompt.messageId) !== prompt) return;
    prompt.timer = undefined; // fired: progress must not re-arm it (refresh() would)
    if (this.onTimeout(prompt) === 'told') return;
    this.pending.delete(prompt.messageId);
    this.remember(prompt.messageId, 'timeout');
  }

  private remember(messageId: string, outcome: Outcome): void {
    this.settled.delete(messageId);
    this.settled.set(messageId, outcome);
    if (this.settled.size > SETTLED_MEMORY) this.settled.delete(this.settled.keys().next().value as string);
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
