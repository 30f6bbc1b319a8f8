import type { SessionDeliveryV1 } from '@chatbot/proto';

/** A message of this socket that was sent to the broker and has no bot frame yet. */
export interface PendingPrompt {
  messageId: string;
  /** The correlation id of the publish that began it; a later publish of the same id is a resend. */
  correlationId: string;
  /** Clock time of the broker's ack; undefined while the publish is in flight. */
  acceptedAt?: number;
  firstTokenAt?: number;
  /** Its reply timer runs (from the ack; progress restarts it; it fires once). */
  timerArmed: boolean;
  /** Deliveries for it that overtook the broker's ack; v2 sees `accepted` first, then these. */
  held: SessionDeliveryV1[];
}

/**
 * `unavailable`: the broker could not take it, and a v1 user already got the unavailable frame.
 * `handed`: an agent answers it (the conversation is `waiting` or `agent`), no bot frame comes.
 */
export type Outcome = 'replied' | 'timeout' | 'rejected' | 'unavailable' | 'handed';

/**
 * Deletes a key and drops the Map once it is empty. A socket's Maps are made at first use and given
 * back when empty: most sockets are idle between messages, and an empty Map still costs about 180 bytes.
 */
export function deleteFrom<K, V>(map: Map<K, V> | undefined, key: K): Map<K, V> | undefined {
  map?.delete(key);
  return map?.size ? map : undefined;
}

/** How many settled prompts a socket remembers, to drop late frames and ignore resends. */
const SETTLED_MEMORY = 512;

/**
 * The prompts of one socket: those awaiting their one bot frame, and how the last few hundred
 * were settled. Data only: the socket's order decides what each change means for the client.
 */
export class PromptLedger {
  /** Made at the first message; `pending` is dropped again when empty (see deleteFrom). */
  private pending?: Map<string, PendingPrompt>;
  private settled?: Map<string, Outcome>;

  get(messageId: string): PendingPrompt | undefined {
    return this.pending?.get(messageId);
  }

  /** The pending prompt begun by this publish, unless it was settled (or begun again) since. */
  current(messageId: string, correlationId: string): PendingPrompt | undefined {
    const prompt = this.pending?.get(messageId);
    return prompt?.correlationId === correlationId ? prompt : undefined;
  }

  /** Registers a message before its publish; undefined when it is already pending or answered. */
  begin(messageId: string, correlationId: string): PendingPrompt | undefined {
    if (this.pending?.has(messageId) || this.settled?.has(messageId)) return undefined;
    const prompt: PendingPrompt = { messageId, correlationId, timerArmed: false, held: [] };
    (this.pending ??= new Map()).set(messageId, prompt);
    return prompt;
  }

  /** Is this message's publish still waiting for the broker's ack? */
  inFlight(messageId: string): boolean {
    const prompt = this.pending?.get(messageId);
    return prompt !== undefined && prompt.acceptedAt === undefined;
  }

  /** Forgets a pending prompt without an outcome (its publish failed: it may be sent again). */
  forget(messageId: string): void {
    this.pending = deleteFrom(this.pending, messageId);
  }

  settle(messageId: string, outcome: Outcome): PendingPrompt | undefined {
    const prompt = this.pending?.get(messageId);
    this.pending = deleteFrom(this.pending, messageId);
    const settled = (this.settled ??= new Map());
    settled.delete(messageId);
    settled.set(messageId, outcome);
    if (settled.size > SETTLED_MEMORY) settled.delete(settled.keys().next().value as string);
    return prompt;
  }

  /** True when the user already got the unavailable frame (or an error) for this prompt. */
  answeredLocally(messageId: string): boolean {
    const outcome = this.settled?.get(messageId);
    return outcome !== undefined && outcome !== 'replied';
  }

  /** True when chat-log refused the message (its id is another session's): a resend is refused too. */
  refused(messageId: string): boolean {
    return this.settled?.get(messageId) === 'rejected';
  }

  /** True once the prompt has its bot frame, of any kind: typing and deltas for it are stale. */
  isSettled(messageId: string): boolean {
    return this.settled?.has(messageId) ?? false;
  }

  get size(): number {
    return this.pending?.size ?? 0;
  }
}
