/** A user message as chat-log stores it, from one CHAT_INBOUND delivery. */
export interface InboundMessage {
  sessionId: string;
  messageId: string;
  text: string;
  clientTimestamp: string | null;
  receivedAt: Date;
  inboundSeq: number;
}

/** `restored`: stored before (a resend, a redelivery); it may already have a released frame. */
export type InboundOutcome = 'stored' | 'restored' | 'rejected';

export interface InboundState {
  /** Session owning each message id of the batch that is already stored. */
  owners: ReadonlyMap<string, string>;
  /** Next turn of each session of the batch (rows locked by the caller). */
  nextTurn: ReadonlyMap<string, number>;
}

export interface InboundPlan {
  /** One per message of the batch, same order. */
  outcomes: InboundOutcome[];
  inserts: Array<InboundMessage & { turn: number }>;
  /** New next turn of every session that got a message. */
  nextTurn: Map<string, number>;
}

/**
 * Decides, in stream order, what each message of a batch becomes: a new message with its session's
 * next turn, a no-op (already stored for that session: `restored`), or `rejected` (the id
 * belongs to another session). The message id is global, so one id is stored once, ever.
 */
export function planInbound(batch: InboundMessage[], state: InboundState): InboundPlan {
  const owners = new Map(state.owners);
  const nextTurn = new Map<string, number>();
  const inserts: InboundPlan['inserts'] = [];
  const outcomes = batch.map((message): InboundOutcome => {
    const owner = owners.get(message.messageId);
    if (owner !== undefined) return owner === message.sessionId ? 'restored' : 'rejected';
    const turn = nextTurn.get(message.sessionId) ?? state.nextTurn.get(message.sessionId) ?? 1;
    nextTurn.set(message.sessionId, turn + 1);
    owners.set(message.messageId, message.sessionId);
    inserts.push({ ...message, turn });
    return 'stored';
  });
  return { outcomes, inserts, nextTurn };
}
