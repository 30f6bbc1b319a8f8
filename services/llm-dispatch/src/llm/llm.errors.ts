/**
 * One class per way an LLM call can fail. `code` is stable (clients and metrics key on it);
 * `retryable` says whether sending the same request again can help.
 */

interface ErrorOptions {
  cause?: unknown;
}

export abstract class LlmError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

const BODY_EXCERPT_CHARS = 500;

export class LlmHttpError extends LlmError {
  readonly code = 'LLM_HTTP_ERROR';
  readonly retryable: boolean;
  readonly bodyExcerpt: string;

  constructor(
    readonly status: number,
    body: string,
    /** From `retry-after-ms` / `Retry-After`, when the server sent one. */
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(`LLM server answered HTTP ${status}: ${describeBody(body)}`, options);
    this.bodyExcerpt = body.slice(0, BODY_EXCERPT_CHARS);
    this.retryable = status === 429 || status >= 500;
  }
}

export class LlmNetworkError extends LlmError {
  readonly code = 'LLM_NETWORK_ERROR';
  readonly retryable = true;
}

export class LlmTimeoutError extends LlmError {
  readonly code = 'LLM_TIMEOUT';
  readonly retryable = true;

  constructor(readonly timeoutMs: number, options?: ErrorOptions) {
    super(`LLM call exceeded ${timeoutMs} ms`, options);
  }
}

/** The server sent `data: {"error": …}` after the stream had started. */
export class LlmStreamError extends LlmError {
  readonly code = 'LLM_STREAM_ERROR';
  readonly retryable: boolean;

  constructor(
    message: string,
    readonly errorType: string | undefined,
    textEmitted: boolean,
    options?: ErrorOptions,
  ) {
    super(`LLM stream failed: ${message}`, options);
    // Retrying after the user saw text would show them a second, different answer.
    this.retryable = !textEmitted;
  }
}

export class LlmCircuitOpenError extends LlmError {
  readonly code = 'LLM_CIRCUIT_OPEN';
  readonly retryable = false;

  constructor(readonly retryInMs: number) {
    super(`LLM circuit is open; next trial in ${retryInMs} ms`);
  }
}

export class LlmProtocolError extends LlmError {
  readonly code = 'LLM_PROTOCOL_ERROR';
  readonly retryable = false;
}

/** The caller's AbortSignal fired: nobody wants the answer any more. */
export class LlmAbortedError extends LlmError {
  readonly code = 'LLM_ABORTED';
  readonly retryable = false;
}

export function isLlmError(value: unknown): value is LlmError {
  return value instanceof LlmError;
}

function describeBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } } | null;
    if (typeof parsed?.error?.message === 'string') return parsed.error.message;
  } catch {
    // Not JSON (or cut short): fall back to the raw text.
  }
  return body.length > 0 ? body.slice(0, 200) : '(empty body)';
}
