/** A user message as chat-log stores it, from one CHAT_INBOUND delivery. */
export interface InboundMessage {
  sessionId: string;
  messageId: string;
  text: string;
  clientTimestamp: string | null;
  receivedAt: Date;
  inboundSeq: number;
}

/**
 * `restored`: stored before (a resend, a redelivery); it may already have a reply. `closed`: not
 * stored, the conversation is completed and a new message must start a new one (E4031).
 */
export type InboundOutcome = 'stored' | 'restored' | 'rejected' | 'closed';

/** A message of the batch that was stored before this batch, as its row says. */
export interface StoredMessage {
  sessionId: string;
  turn: number;
  text: string;
  receivedAt: Date;
  /** It has a committed reply (released or waiting for an earlier turn). */
  answered: boolean;
  /** Handed to an agent: the status it was handed under. */
  handedStatus: 'waiting' | 'agent' | null;
}

/** A stored message that still needs its answer: it goes on as one chat.stored event. */
export interface RoutedMessage {
  sessionId: string;
  messageId: string;
  turn: number;
  text: string;
  receivedAt: Date;
}

export interface InboundState {
  /** The messages of the batch already stored (by any session), by message id. */
  stored: ReadonlyMap<string, StoredMessage>;
  /** Next turn of each session of the batch (rows locked by the caller). */
  nextTurn: ReadonlyMap<string, number>;
  /** Sessions that take no new message (completed, policy `new_conversation`). */
  closed?: ReadonlySet<string>;
}

export interface InboundPlan {
  /** One per message of the batch, same order. */
  outcomes: InboundOutcome[];
  inserts: Array<InboundMessage & { turn: number }>;
  /** New next turn of every session that got a message. */
  nextTurn: Map<string, number>;
  /**
   * What goes on to be answered, in batch order, each id once: every new message, and every
   * restored one with no reply yet (its chat.stored may be lost: a crash between the commit and
   * the publish redelivers the batch). A restored message with a reply is not routed again.
   */
  routed: RoutedMessage[];
  /** Restored messages that have a reply, each id once: they get their released frame again. */
  answered: string[];
  /** Restored messages handed to an agent, each id once: the gateway is told again. */
  handedAgain: Array<{ sessionId: string; messageId: string; status: 'waiting' | 'agent' }>;
}

/**
 * Decides, in stream order, what each message of a batch becomes: a new message with its session's
 * next turn, a no-op (already stored for that session: `restored`), or `rejected` (the id
 * belongs to another session). The message id is global, so one id is stored once, ever.
 */
export function planInbound(batch: InboundMessage[], state: InboundState): InboundPlan {
  const owners = new Map([...state.stored].map(([id, row]) => [id, row.sessionId]));
  const nextTurn = new Map<string, number>();
  const plan: InboundPlan = { outcomes: [], inserts: [], nextTurn, routed: [], answered: [], handedAgain: [] };
  const seen = new Set<string>();
  for (const message of batch) {
    const owner = owners.get(message.messageId);
    if (owner !== undefined) {
      plan.outcomes.push(owner === message.sessionId ? 'restored' : 'rejected');
      const before = state.stored.get(message.messageId);
      if (owner === message.sessionId && before && !seen.has(message.messageId)) restore(plan, message.messageId, before);
      seen.add(message.messageId);
      continue;
    }
    if (state.closed?.has(message.sessionId)) {
      plan.outcomes.push('closed');
      continue;
    }
    const turn = nextTurn.get(message.sessionId) ?? state.nextTurn.get(message.sessionId) ?? 1;
    nextTurn.set(message.sessionId, turn + 1);
    owners.set(message.messageId, message.sessionId);
    seen.add(message.messageId);
    plan.inserts.push({ ...message, turn });
    plan.routed.push({ sessionId: message.sessionId, messageId: message.messageId, turn, text: message.text, receivedAt: message.receivedAt });
    plan.outcomes.push('stored');
  }
  return plan;
}

function restore(plan: InboundPlan, messageId: string, row: StoredMessage): void {
  if (row.handedStatus) plan.handedAgain.push({ sessionId: row.sessionId, messageId, status: row.handedStatus });
  else if (row.answered) plan.answered.push(messageId);
  else plan.routed.push({ sessionId: row.sessionId, messageId, turn: row.turn, text: row.text, receivedAt: row.receivedAt });
}
