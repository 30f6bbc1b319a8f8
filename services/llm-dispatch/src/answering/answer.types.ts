import type { AnswerFields, LlmJobV1, TokenUsage } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { CircuitState } from '../llm/circuit-breaker';
import type { Memory } from './conversation.memory';

/** Where streamed text goes while an answer is produced (the gateway, as `delta` frames). */
export interface DeltaSink {
  delta(text: string): void;
}

export interface AnswerRequest {
  job: LlmJobV1;
  correlationId: string;
  log: Logger;
  deltas: DeltaSink;
  /** The memory `prefetch` started for this job, if it did. */
  memory?: Promise<Memory>;
}

export interface Answer {
  fields: AnswerFields;
  usage?: TokenUsage;
}

export type AnswerMode = 'retrieval' | 'llm';

/**
 * Produces the final answer of one job. Throws an LlmError or AppError when a dependency fails
 * (the caller turns it into a failure reply); anything else is a bug and the job is retried.
 */
export interface Answerer {
  readonly mode: AnswerMode;
  answer(request: AnswerRequest): Promise<Answer>;
  /**
   * Starts the reads an answer needs (the session's persona; the history comes with the job)
   * while the worker still checks whether it may answer; it may discard them. Never rejects.
   * Absent when the mode needs no memory.
   */
  prefetch?(job: LlmJobV1, correlationId: string, log: Logger): Promise<Memory>;
  /** Facts for /healthz and the start-up log. */
  describe(): Record<string, unknown>;
  /** The model's circuit breaker, when there is a model. */
  circuitState?(): CircuitState;
}
