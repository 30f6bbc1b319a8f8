import type { Bus } from '@chatbot/bus';
import type { HistoryTurn, LlmJobV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import { loginSince, PersonaBindingCache } from './persona-binding.cache';
import { selectHistory } from './prompt.builder';

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
 * The conversation so far and the session's persona. The conversation comes with the job: chat-log
 * read it when it stored the message, so it is what the user had seen when sending it. The persona
 * is asked of the persona service (remembered per session) and is optional: when it does not
 * answer within `timeoutMs`, the model works without it and the log says so; a service not
 * subscribed for a moment (reconnecting after a broker restart) is waited for within that time.
 * Loading never throws, so a worker may start it before it knows it will answer.
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

  async load(job: LlmJobV1, correlationId: string, log: Logger): Promise<Memory> {
    const turns = job.history ?? [];
    const personaId = await this.personaOf(job.session_id, turns, correlationId, log);
    return { history: selectHistory(turns, this.options.historyTurns), personaId };
  }

  private async personaOf(sessionId: string, turns: HistoryTurn[], correlationId: string, log: Logger): Promise<number | null> {
    if (!this.options.wantPersona) return null;
    const cached = this.bindings.fresh(sessionId);
    if (!cached) return this.askPersona(sessionId, correlationId, log);
    // A login the history shows since the binding was asked may have changed it.
    return loginSince(turns, cached.askedAt) ? this.askPersona(sessionId, correlationId, log) : cached.personaId;
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
