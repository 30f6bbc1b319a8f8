import { ListenerFailure } from './chat-stream';
import { LlmAbortedError, LlmNetworkError, LlmTimeoutError, isLlmError } from './llm.errors';

/** One attempt's time budget plus the caller's signal, merged into the signal the HTTP request watches. */
export class AttemptDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(
    timeoutMs: number,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => this.controller.abort(new LlmTimeoutError(timeoutMs)), timeoutMs);
    if (callerSignal?.aborted) this.onCallerAbort();
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whatever the transport threw, name the failure by what actually happened. */
  explain(error: unknown): unknown {
    if (this.controller.signal.aborted) return this.controller.signal.reason;
    if (isLlmError(error) || error instanceof ListenerFailure) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new LlmNetworkError(`LLM request failed: ${message}`, { cause: error });
  }

  clear(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }

  private readonly onCallerAbort = (): void => {
    this.controller.abort(new LlmAbortedError('LLM call aborted by the caller', { cause: this.callerSignal?.reason }));
  };
}
