import type { StubBehaviour, StubScript } from '@chatbot/testkit';

type RecordedRequest = Parameters<StubScript>[0];

export type Range = number | readonly [number, number];

export interface EchoOptions {
  /** Text chunks streamed after the role chunk. */
  tokens: number;
  tokenDelayMs?: Range;
  ttftMs?: Range;
}

const pick = (range: Range | undefined): number | undefined =>
  range === undefined || typeof range === 'number' ? range : range[0] + Math.random() * (range[1] - range[0]);

/** The user text of a chat-completions request: the last user message. */
export function promptOf(request: RecordedRequest): string {
  const messages = (request.messages ?? []) as Array<{ role?: string; content?: unknown }>;
  const last = [...messages].reverse().find((m) => m.role === 'user');
  return typeof last?.content === 'string' ? last.content : '';
}

/** The whole answer the echo stub gives to a prompt: a reply can be matched to its message. */
export function echoAnswer(prompt: string): string {
  return `답변: ${prompt} — 끝`;
}

/** A stub LLM script answering every prompt with `echoAnswer`, streamed in `tokens` chunks. */
export function echoScript(options: EchoOptions): StubScript {
  return (request): StubBehaviour => ({
    text: echoAnswer(promptOf(request)),
    chunks: options.tokens,
    ttftMs: pick(options.ttftMs),
    tokenDelayMs: pick(options.tokenDelayMs),
  });
}
