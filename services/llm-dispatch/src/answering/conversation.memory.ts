import type { Bus } from '@chatbot/bus';
import type { HistoryTurn, LlmJobV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import { loginSince, PersonaBindingCache, type CachedBinding } from './persona-binding.cache';
import { selectHistory } from './prompt.builder';

/** Pauses between asks while the previous reply is on its way (chat-log releases it in ms). */
const REASK_FIRST_MS = 20;
const REASK_MAX_MS = 160;
/**
 * The longest a typed-ahead message waits for the previous reply. Only a lagging chat-log takes
 * longer: half a second bounds what that adds to such an answer.
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
 * The conversation so far and the session's persona. The conversation is read from chat-log when
 * the job runs, or comes with the job when chat-log is configured to carry it (see turnsOf). The persona
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

  /** A session's persona not remembered is asked at once, beside the history, not after it. */
  async load(job: LlmJobV1, correlationId: string, log: Logger): Promise<Memory> {
    const cached = this.options.wantPersona ? this.bindings.fresh(job.session_id) : undefined;
    const asking = this.options.wantPersona && !cached ? this.askPersona(job.session_id, correlationId, log) : undefined;
    const turns = await this.turnsOf(job, correlationId, log);
    const personaId = await (asking ?? this.rememberedPersona(job.session_id, cached, turns, correlationId, log));
    return { history: selectHistory(turns, this.options.historyTurns), personaId };
  }

  /**
   * The history the job carries (chat-log's HISTORY_TURNS > 0), unless it ends with a question:
   * the message was typed before the previous answer was released, and the user asks about that
   * answer. Otherwise, and for a job that carries none (the default), chat-log is asked for the
   * turns now: the job runs only once the previous one is answered (the session's head rule), and
   * while that answer is on its way the ask is repeated for at most PREVIOUS_REPLY_WAIT_MS.
   */
  private async turnsOf(job: LlmJobV1, correlationId: string, log: Logger): Promise<HistoryTurn[]> {
    const carried = job.history ?? [];
    const { historyTurns, timeoutMs } = this.options;
    if (historyTurns === 0) return [];
    if (job.history !== undefined && carried.at(-1)?.role !== 'user') return carried;
    const started = this.now();
    const waitEnds = started + Math.min(timeoutMs, PREVIOUS_REPLY_WAIT_MS);
    const limit = Math.min(200, historyTurns * 2 + 4);
    try {
      for (let pauseMs = REASK_FIRST_MS; ; pauseMs = Math.min(pauseMs * 2, REASK_MAX_MS)) {
        const left = Math.max(1, started + timeoutMs - this.now());
        const { turns } = await this.bus.request('history', { session_id: job.session_id, limit }, { timeoutMs: left, correlationId, waitForResponder: true });
        const before = turnsBefore(turns, job.message_id);
        if (before.at(-1)?.role !== 'user') return before;
        if (this.now() + pauseMs >= waitEnds) {
          log.info('the previous message has no released reply yet; answering without it');
          return before;
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    } catch (error) {
      log.warn({ err: error }, job.history === undefined ? 'chat history unavailable, answering without memory' : 'chat history unavailable, answering with the history the job carries');
      return carried;
    }
  }

  /** A remembered binding, unless the history shows a login since it was asked (then asked again). */
  private async rememberedPersona(sessionId: string, cached: CachedBinding | undefined, turns: HistoryTurn[], correlationId: string, log: Logger): Promise<number | null> {
    if (!cached) return null;
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

/** The turns before the current message (chat-log lists it and later ones too). */
function turnsBefore(turns: HistoryTurn[], messageId: string): HistoryTurn[] {
  const current = turns.findIndex((turn) => turn.role === 'user' && turn.message_id === messageId);
  return current === -1 ? turns : turns.slice(0, current);
}
