import type { IncomingMessage } from 'node:http';
import { backoffDelay, parseRetryAfter, sleep as realSleep, type Sleep } from './backoff';
import { AttemptDeadline } from './attempt-deadline';
import { ChatStreamReader, ListenerFailure } from './chat-stream';
import { CircuitBreaker } from './circuit-breaker';
import { JsonPoster, release } from './http.post';
import { LlmAbortedError, LlmHttpError, LlmNetworkError, isLlmError } from './llm.errors';
import type { ChatRequest, ChatResult, DeltaListener } from './llm.types';
import { SseParser } from './sse.parser';

export interface LlmClientOptions {
  /** e.g. `http://127.0.0.1:11434/v1`; a trailing slash is fine. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Whole-attempt budget, from sending the request to the last byte. */
  timeoutMs: number;
  maxRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  maxTokens: number;
  breaker: { failureThreshold: number; cooldownMs: number };
}

/** Seams for tests; production uses the defaults. */
export interface LlmClientDeps {
  now?: () => number;
  sleep?: Sleep;
  random?: () => number;
}

const ERROR_BODY_LIMIT_BYTES = 16 * 1024;

/** Streams chat completions from an OpenAI-compatible server, with retries and a circuit breaker. */
export class LlmClient {
  private readonly http: JsonPoster;
  private readonly breaker: CircuitBreaker;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly random: () => number;

  constructor(
    private readonly options: LlmClientOptions,
    deps: LlmClientDeps = {},
  ) {
    this.http = new JsonPoster(`${options.baseUrl.replace(/\/+$/, '')}/chat/completions`);
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? realSleep;
    this.random = deps.random ?? Math.random;
    this.breaker = new CircuitBreaker({ ...options.breaker, now: this.now });
  }

  get circuitState(): CircuitBreaker['state'] {
    return this.breaker.state;
  }

  /**
   * Streams one completion, calling `onDelta` with each piece of text. Retries only while nothing
   * has reached `onDelta`, so the user never sees text twice.
   */
  async streamChat(request: ChatRequest, onDelta: DeltaListener): Promise<ChatResult> {
    for (let attempt = 0; ; attempt += 1) {
      const reader = new ChatStreamReader(onDelta);
      try {
        return await this.countedAttempt(request, reader);
      } catch (error) {
        if (error instanceof ListenerFailure) throw error.cause;
        if (!this.shouldRetry(error, attempt, reader)) throw error;
        await this.sleep(this.retryDelay(error, attempt), request.signal);
      }
    }
  }

  private shouldRetry(error: unknown, attempt: number, reader: ChatStreamReader): boolean {
    return isLlmError(error) && error.retryable && !reader.textEmitted && attempt < this.options.maxRetries;
  }

  private retryDelay(error: unknown, attempt: number): number {
    const { backoffBaseMs, backoffMaxMs } = this.options;
    if (error instanceof LlmHttpError && error.retryAfterMs !== undefined) {
      return Math.min(error.retryAfterMs, backoffMaxMs);
    }
    return backoffDelay(attempt, backoffBaseMs, backoffMaxMs, this.random);
  }

  private async countedAttempt(request: ChatRequest, reader: ChatStreamReader): Promise<ChatResult> {
    this.breaker.acquire();
    try {
      const result = await this.attempt(request, reader);
      this.breaker.recordSuccess();
      return result;
    } catch (error) {
      this.recordOutcome(error);
      throw error;
    }
  }

  private recordOutcome(error: unknown): void {
    if (error instanceof LlmAbortedError || error instanceof ListenerFailure) this.breaker.release();
    // A 4xx other than 429 is our request's fault: the server itself answered fine.
    else if (error instanceof LlmHttpError && !error.retryable) this.breaker.recordSuccess();
    else this.breaker.recordFailure();
  }

  private async attempt(request: ChatRequest, reader: ChatStreamReader): Promise<ChatResult> {
    const deadline = new AttemptDeadline(this.options.timeoutMs, request.signal);
    let response: IncomingMessage | undefined;
    let finished = false;
    try {
      response = await this.post(request, deadline.signal);
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) throw await this.httpError(response);
      const result = await readResponse(response, reader);
      finished = true;
      return result;
    } catch (error) {
      throw deadline.explain(error);
    } finally {
      deadline.clear();
      if (response) release(response, finished);
    }
  }

  private post(request: ChatRequest, signal: AbortSignal): Promise<IncomingMessage> {
    const { apiKey } = this.options;
    const body = {
      model: request.model ?? this.options.model,
      messages: request.messages,
      // Several servers reject an empty `tools` array.
      ...(request.tools && request.tools.length > 0 ? { tools: request.tools } : {}),
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: request.maxTokens ?? this.options.maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    };
    const headers: Record<string, string> = { Accept: 'text/event-stream', 'Content-Type': 'application/json' };
    if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
    return this.http.post(JSON.stringify(body), headers, signal);
  }

  private async httpError(response: IncomingMessage): Promise<LlmHttpError> {
    const text = await readCapped(response, ERROR_BODY_LIMIT_BYTES);
    return new LlmHttpError(response.statusCode ?? 0, text, parseRetryAfter(response.headers, this.now()));
  }
}

async function readResponse(response: IncomingMessage, reader: ChatStreamReader): Promise<ChatResult> {
  const contentType = response.headers['content-type'] ?? '';
  // A server that ignores `stream: true` answers one chat.completion; its `message` reads like a delta.
  if (contentType.includes('application/json')) {
    reader.push(await readCapped(response, Number.POSITIVE_INFINITY));
    return reader.finish();
  }
  return readEventStream(response, reader);
}

/**
 * Reads events as the bytes arrive. Settles at `[DONE]` without waiting for the response to end
 * (the rest is drained, see release), at the end of the response, or when it fails.
 */
function readEventStream(stream: IncomingMessage, reader: ChatStreamReader): Promise<ChatResult> {
  return new Promise((resolve, reject) => {
    const parser = new SseParser();
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const read = (events: string[]): boolean => events.every((data) => reader.push(data));
    const finish = (more: () => string[]) => {
      try {
        read(more());
        const result = reader.finish();
        settled = true;
        resolve(result);
      } catch (error) {
        fail(error);
      }
    };
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      try {
        if (!read(parser.feed(chunk))) finish(() => []);
      } catch (error) {
        fail(error);
      }
    });
    stream.once('end', () => settled || finish(() => parser.end()));
    stream.on('error', fail);
    // Every response closes, also after its end: the error is made only when it is one.
    stream.once('close', () => settled || fail(new LlmNetworkError('LLM response closed before it ended')));
  });
}

async function readCapped(stream: IncomingMessage, limitBytes: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    parts.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limitBytes) break;
  }
  return Buffer.concat(parts).toString('utf8');
}
