import type { HistoryTurn } from '@chatbot/proto';

/** What persona answered for a session, and when it was asked (this worker's clock, ms). */
export interface CachedBinding {
  personaId: number | null;
  askedAt: number;
}

/** Sessions remembered at most; the least recently asked one makes room. */
const MAX_SESSIONS = 10_000;
/** chat-log stamps turns with its own clock: a push this much older still counts as new. */
const CLOCK_SKEW_MS = 2_000;

/**
 * The persona bound to each session, reused for `ttlMs`. A binding changes only at a login, yet
 * every job of the session would otherwise wait for the persona service (a database query)
 * before the model can be called. `ttlMs` 0 remembers nothing.
 */
export class PersonaBindingCache {
  private readonly entries = new Map<string, CachedBinding>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The binding, if it was asked for less than `ttlMs` ago. */
  fresh(sessionId: string): CachedBinding | undefined {
    const entry = this.entries.get(sessionId);
    if (!entry) return undefined;
    if (this.now() - entry.askedAt < this.ttlMs) return entry;
    this.entries.delete(sessionId);
    return undefined;
  }

  remember(sessionId: string, personaId: number | null, askedAt: number): void {
    if (this.ttlMs <= 0) return;
    // Re-inserted, so the map's order is the order of asking and its first key the stalest.
    this.entries.delete(sessionId);
    this.entries.set(sessionId, { personaId, askedAt });
    if (this.entries.size > MAX_SESSIONS) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/**
 * Whether the history shows a login since `askedAt`. A login pushes its recommendation, which
 * chat-log lists as an assistant turn that does not directly follow its own prompt (an answer
 * always does). When in doubt this says yes: the cost is one more binding request.
 */
export function loginSince(turns: HistoryTurn[], askedAt: number): boolean {
  return turns.some((turn, i) => {
    if (turn.role !== 'assistant' || Date.parse(turn.at) < askedAt - CLOCK_SKEW_MS) return false;
    const before = turns[i - 1];
    return !(before?.role === 'user' && before.message_id === turn.message_id);
  });
}
