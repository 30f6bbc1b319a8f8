import type { Bus } from '@chatbot/bus';
import type { HistoryTurn } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import { loginSince, PersonaBindingCache } from './persona-binding.cache';
import { previousReplyPending, selectHistory } from './prompt.builder';

/** Pauses between asks while the previous reply is on its way (chat-log releases it in ms). */
const REASK_FIRST_MS = 20;
const REASK_MAX_MS = 160;
/**
 * The longest a job waits for the previous reply. Only a lagging chat-log takes longer, and then
 * every follow-up would wait: half a second bounds what that adds to each answer.
 */
const PREVIOUS_REPLY_WAIT_MS = 500;

export interface MemoryOptions {
  historyTurns: number;
  timeoutMs: number;
  /** Ask for the session's persona only when some persona has a prompt of its own. */
  wantPersona: boolean;
  /** PERSONA_CACHE_TTL_MS: how long a session's binding is reused (0: asked for every job). */
  personaTtlMs: number;
}

export interface Memory {
  history: HistoryTurn[];
  personaId: number | null;
}

export type MemoryBus = Pick<Bus, 'request'>;

/**
 * The conversation so far (chat-log) and the session's persona (persona service, remembered per
 * session). Both are optional: when a service does not answer within `timeoutMs`, the model works
 * without it and the log says so; a service not subscribed for a moment (reconnecting after a
 * broker restart) is waited for within that time. Loading never throws, so a worker may start it
 * before it knows it will answer.
 */
export class ConversationMemory {
  private readonly bindings: PersonaBindingCache;

  constructor(
    private readonly bus: MemoryBus,
    private readonly options: MemoryOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.bindings = new PersonaBindingCache(options.personaTtlMs, now);
  }

  async load(sessionId: string, messageId: string, correlationId: string, log: Logger): Promise<Memory> {
    const turns = this.turns(sessionId, messageId, correlationId, log);
    const [history, personaId] = await Promise.all([turns, this.personaOf(sessionId, turns, correlationId, log)]);
    return { history: selectHistory(history, messageId, this.options.historyTurns), personaId };
  }

  /**
   * The stored turns as chat-log lists them (the current message and later ones included). While
   * the previous message's reply is not released yet (previousReplyPending) it asks again, for
   * at most PREVIOUS_REPLY_WAIT_MS, so the model sees the answer it is asked to follow up on.
   */
  private async turns(sessionId: string, messageId: string, correlationId: string, log: Logger): Promise<HistoryTurn[]> {
    const { historyTurns, timeoutMs } = this.options;
    if (historyTurns === 0) return [];
    const started = this.now();
    const deadline = started + timeoutMs;
    const waitEnds = started + Math.min(timeoutMs, PREVIOUS_REPLY_WAIT_MS);
    const limit = Math.min(200, historyTurns * 2 + 4);
    try {
      for (let pauseMs = REASK_FIRST_MS; ; pauseMs = Math.min(pauseMs * 2, REASK_MAX_MS)) {
        const left = Math.max(1, deadline - this.now());
        const { turns } = await this.bus.request('history', { session_id: sessionId, limit }, { timeoutMs: left, correlationId, waitForResponder: true });
        if (!previousReplyPending(turns, messageId)) return turns;
        if (this.now() + pauseMs >= waitEnds) {
          log.info('the previous message has no released reply yet; answering without it');
          return turns;
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    } catch (error) {
      log.warn({ err: error }, 'chat history unavailable, answering without memory');
      return [];
    }
  }

  private async personaOf(sessionId: string, turns: Promise<HistoryTurn[]>, correlationId: string, log: Logger): Promise<number | null> {
    if (!this.options.wantPersona) return null;
    const cached = this.bindings.fresh(sessionId);
    if (!cached) return this.askPersona(sessionId, correlationId, log);
    // The history is on its way anyway; a login it shows since the binding was asked may have changed it.
    return loginSince(await turns, cached.askedAt) ? this.askPersona(sessionId, correlationId, log) : cached.personaId;
  }

  private async askPersona(sessionId: string, correlationId: string, log: Logger): Promise<number | null> {
    const askedAt = this.now();
    try {
      const { persona_id } = await this.bus.request('binding', { session_id: sessionId }, { timeoutMs: this.options.timeoutMs, correlationId, waitForResponder: true });
      this.bindings.remember(sessionId, persona_id, askedAt);
      return persona_id;
    } catch (error) {
      log.info({ err: error }, 'session persona unknown, using the general prompt');
      return null;
    }
  }
}
