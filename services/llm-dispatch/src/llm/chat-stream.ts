import { randomUUID } from 'node:crypto';
import { LlmNetworkError, LlmProtocolError, LlmStreamError } from './llm.errors';
import type { ChatResult, DeltaListener, FinishReason, ResultToolCall, Usage } from './llm.types';

/** Wraps an error thrown by the caller's own listener: neither retried nor blamed on the server. */
export class ListenerFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('onDelta listener threw', { cause });
  }
}

/** The parts of a `chat.completion.chunk` this reader looks at; everything is optional on the wire. */
interface ChunkToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: unknown };
}

interface ChunkDelta {
  content?: unknown;
  tool_calls?: unknown;
}

interface ChunkChoice {
  index?: number;
  delta?: ChunkDelta;
  /** A non-streamed chat.completion carries the same fields under `message`. */
  message?: ChunkDelta;
  finish_reason?: unknown;
}

interface Chunk {
  choices?: unknown;
  usage?: unknown;
  error?: { message?: unknown; type?: unknown };
}

interface PendingToolCall extends ResultToolCall {
  wireIndex: number | undefined;
}

/**
 * Folds the `data` payloads of one streamed chat completion into a ChatResult,
 * passing text on to `onDelta` as it arrives.
 */
export class ChatStreamReader {
  private content = '';
  private readonly toolCalls: PendingToolCall[] = [];
  private finishReason: FinishReason | undefined;
  private usage: Usage | undefined;
  private done = false;
  private emitted = false;

  constructor(private readonly onDelta: DeltaListener) {}

  /** True once any text reached `onDelta`: from then on the call must not be replayed. */
  get textEmitted(): boolean {
    return this.emitted;
  }

  /** Reads one event's data. Returns false once the stream said `[DONE]`. */
  push(data: string): boolean {
    if (this.done) return false;
    if (data.trim() === '[DONE]') {
      this.done = true;
      return false;
    }
    const chunk = parseChunk(data);
    if (chunk.error !== undefined && chunk.error !== null) throw this.streamError(chunk.error);
    if (isUsage(chunk.usage)) this.usage = chunk.usage;
    const choice = firstChoice(chunk.choices);
    if (choice) this.readChoice(choice);
    return true;
  }

  /** Call when the byte stream ended. */
  finish(): ChatResult {
    if (!this.done && this.finishReason === undefined) {
      throw new LlmNetworkError('LLM stream ended before a finish_reason or [DONE]');
    }
    const toolCalls = this.toolCalls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args }));
    return {
      content: this.content,
      toolCalls,
      finishReason: correctedFinishReason(this.finishReason, toolCalls.length > 0),
      ...(this.usage ? { usage: this.usage } : {}),
    };
  }

  private readChoice(choice: ChunkChoice): void {
    const delta = choice.delta ?? choice.message ?? {};
    if (typeof delta.content === 'string' && delta.content.length > 0) {
      this.content += delta.content;
      this.emitted = true;
      this.emit(delta.content);
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const fragment of delta.tool_calls as ChunkToolCall[]) this.addToolCallFragment(fragment);
    }
    if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
  }

  private emit(text: string): void {
    try {
      this.onDelta(text);
    } catch (cause) {
      throw new ListenerFailure(cause);
    }
  }

  private addToolCallFragment(fragment: ChunkToolCall): void {
    const call = this.toolCallFor(fragment);
    const name = fragment.function?.name;
    if (typeof name === 'string' && call.name === '') call.name = name;
    call.arguments += argumentsText(fragment.function?.arguments);
  }

  /**
   * OpenAI sends the id once per `index`, then argument pieces with only the index. A fragment
   * without index (Ollama) or with a second id on a used index (servers that number every call 0)
   * starts a new call.
   */
  private toolCallFor(fragment: ChunkToolCall): PendingToolCall {
    const index = typeof fragment.index === 'number' ? fragment.index : undefined;
    const id = typeof fragment.id === 'string' && fragment.id !== '' ? fragment.id : undefined;
    const existing = index === undefined ? undefined : this.lastWithIndex(index);
    if (existing && (id === undefined || id === existing.id)) return existing;
    const created: PendingToolCall = { id: id ?? `call_${randomUUID()}`, name: '', arguments: '', wireIndex: index };
    this.toolCalls.push(created);
    return created;
  }

  private lastWithIndex(index: number): PendingToolCall | undefined {
    for (let i = this.toolCalls.length - 1; i >= 0; i -= 1) {
      if (this.toolCalls[i]?.wireIndex === index) return this.toolCalls[i];
    }
    return undefined;
  }

  private streamError(error: Chunk['error']): LlmStreamError {
    const message = typeof error?.message === 'string' ? error.message : JSON.stringify(error);
    const type = typeof error?.type === 'string' ? error.type : undefined;
    return new LlmStreamError(message, type, this.emitted);
  }
}

function parseChunk(data: string): Chunk {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (cause) {
    throw new LlmProtocolError(`LLM stream chunk is not JSON: ${data.slice(0, 200)}`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new LlmProtocolError(`LLM stream chunk is not an object: ${data.slice(0, 200)}`);
  }
  return parsed as Chunk;
}

function firstChoice(choices: unknown): ChunkChoice | undefined {
  if (!Array.isArray(choices)) return undefined;
  const list = choices as ChunkChoice[];
  return list.find((choice) => choice?.index === 0) ?? list[0] ?? undefined;
}

function isUsage(value: unknown): value is Usage {
  return typeof value === 'object' && value !== null && typeof (value as Usage).total_tokens === 'number';
}

/** Ollama's arguments may be an object rather than JSON text. */
function argumentsText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Some servers say "stop" (or nothing) after a tool call; the caller must still run the tools. */
function correctedFinishReason(reason: FinishReason | undefined, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls && (reason === undefined || reason === 'stop')) return 'tool_calls';
  return reason ?? 'stop';
}
