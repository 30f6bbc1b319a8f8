import { sequence, startStubLlm, type StubLlm } from '../../../../libs/testkit/src/peers/stub-llm';
import { LlmClient, type LlmClientDeps, type LlmClientOptions } from './llm.client';
import {
  LlmAbortedError,
  LlmCircuitOpenError,
  LlmHttpError,
  LlmNetworkError,
  LlmStreamError,
  LlmTimeoutError,
} from './llm.errors';
import type { ChatMessage, ChatRequest, ToolDefinition } from './llm.types';

const messages: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Say hello' },
];

const weatherTool: ToolDefinition = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

let stub: StubLlm;

beforeEach(async () => {
  stub = await startStubLlm();
});

afterEach(async () => {
  await stub.close();
});

function client(overrides: Partial<LlmClientOptions> = {}, deps: LlmClientDeps = {}): LlmClient {
  const options: LlmClientOptions = {
    baseUrl: stub.url,
    model: 'test-model',
    timeoutMs: 2000,
    maxRetries: 2,
    backoffBaseMs: 1,
    backoffMaxMs: 20,
    maxTokens: 256,
    breaker: { failureThreshold: 100, cooldownMs: 1000 },
    ...overrides,
  };
  return new LlmClient(options, deps);
}

async function chat(llm: LlmClient, request: Partial<ChatRequest> = {}) {
  const deltas: string[] = [];
  const result = await llm.streamChat({ messages, ...request }, (text) => deltas.push(text));
  return { deltas, result };
}

/** Runs a call expected to fail; returns the error and the text that reached the listener. */
async function failingChat(llm: LlmClient, request: Partial<ChatRequest> = {}) {
  const deltas: string[] = [];
  const error = await llm.streamChat({ messages, ...request }, (text) => deltas.push(text)).then(
    () => {
      throw new Error('expected the call to fail');
    },
    (caught: unknown) => caught,
  );
  return { deltas, error };
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function recordingSleep(): { delays: number[]; sleep: NonNullable<LlmClientDeps['sleep']> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

describe('LlmClient against the stub server', () => {
  describe('successful streams', () => {
    it('passes text deltas on in order and sends the OpenAI streaming request', async () => {
      stub.setScript({ text: 'The quick brown fox' });
      const { deltas, result } = await chat(client({ baseUrl: `${stub.url}/` }));

      expect(deltas).toEqual(['The', ' quick', ' brown', ' fox']);
      expect(result).toMatchObject({ content: 'The quick brown fox', toolCalls: [], finishReason: 'stop' });
      expect(stub.requests).toEqual([
        {
          model: 'test-model',
          messages,
          stream: true,
          stream_options: { include_usage: true },
          max_tokens: 256,
        },
      ]);
      expect(stub.headers[0]?.authorization).toBeUndefined();
    });

    it('sends tools and a bearer token when configured', async () => {
      await chat(client({ apiKey: 'sk-test' }), { tools: [weatherTool] });
      expect(stub.requests[0]?.tools).toEqual([weatherTool]);
      expect(stub.headers[0]?.authorization).toBe('Bearer sk-test');
    });

    it('sends one call after another over one kept-alive connection', async () => {
      const llm = client();
      for (let i = 0; i < 3; i += 1) expect((await chat(llm)).result.content).toBe('Hello from the stub LLM.');
      expect(stub.requests).toHaveLength(3);
      expect(stub.openConnections()).toBe(1);
    });

    it('keeps multi-byte text intact when chunks split it', async () => {
      const text = 'héllo wörld 😀😀 ok';
      stub.setScript({ text, chunks: 7 });
      const { deltas, result } = await chat(client());
      expect(deltas).toHaveLength(7);
      expect(deltas.join('')).toBe(text);
      expect(result.content).toBe(text);
    });

    it('joins incremental tool-call fragments by index', async () => {
      stub.setScript({
        toolCallIncremental: [
          { id: 'call_w', name: 'get_weather', arguments: { city: 'Oslo', unit: 'celsius' } },
          { id: 'call_t', name: 'get_time', arguments: { zone: 'Europe/Oslo' } },
        ],
        argumentFragments: 5,
      });
      const { deltas, result } = await chat(client(), { tools: [weatherTool] });
      expect(deltas).toEqual([]);
      expect(result.finishReason).toBe('tool_calls');
      expect(result.toolCalls).toEqual([
        { id: 'call_w', name: 'get_weather', arguments: '{"city":"Oslo","unit":"celsius"}' },
        { id: 'call_t', name: 'get_time', arguments: '{"zone":"Europe/Oslo"}' },
      ]);
    });

    it.each([
      ['without index', false],
      ['with index', true],
    ])('takes an Ollama-style one-shot tool call (%s) and corrects finish_reason stop', async (_label, oneShotIndex) => {
      stub.setScript({
        text: 'Let me check.',
        toolCallOneShot: { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        oneShotIndex,
      });
      const { deltas, result } = await chat(client());
      expect(deltas.join('')).toBe('Let me check.');
      expect(result.finishReason).toBe('tool_calls');
      expect(result.toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    });

    it.each([
      ['choices: []', true as const],
      ['choices: null', 'null' as const],
    ])('reads usage from the final chunk with %s', async (_label, usage) => {
      stub.setScript({ text: 'one two three', usage });
      const { result } = await chat(client());
      // The stub counts words: 4 in the prompt, 3 text chunks.
      expect(result.usage).toEqual({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
    });

    it('leaves usage out when the server sends none', async () => {
      stub.setScript({ text: 'hi', usage: false });
      const { result } = await chat(client());
      expect(result.usage).toBeUndefined();
    });

    it('accepts a stream that just ends without [DONE]', async () => {
      stub.setScript({ text: 'no marker', doneMarker: false, finishReason: 'length' });
      const { result } = await chat(client());
      expect(result).toMatchObject({ content: 'no marker', finishReason: 'length' });
    });
  });

  describe('errors inside the stream', () => {
    it('raises a non-retryable stream error after text was emitted, without replaying', async () => {
      // Chunk events: role, "one", " two", then the error.
      stub.setScript({ text: 'one two three four', errorMidStream: { afterChunks: 3, message: 'GPU fell over' } });
      const { deltas, error } = await failingChat(client({ maxRetries: 3 }));
      expect(error).toBeInstanceOf(LlmStreamError);
      expect(error).toMatchObject({ code: 'LLM_STREAM_ERROR', retryable: false, errorType: 'server_error' });
      expect((error as Error).message).toContain('GPU fell over');
      expect(deltas).toEqual(['one', ' two']);
      expect(stub.requests).toHaveLength(1);
    });

    it('retries an error event that came before any text', async () => {
      stub.setScript(sequence([{ text: 'lost', errorMidStream: { afterChunks: 1 } }, { text: 'second try' }]));
      const { deltas, result } = await chat(client());
      expect(deltas.join('')).toBe('second try');
      expect(result.content).toBe('second try');
      expect(stub.requests).toHaveLength(2);
    });
  });

  describe('HTTP errors and retries', () => {
    it('retries a 429 after the Retry-After the server asked for', async () => {
      stub.setScript(sequence([{ httpStatus: 429, retryAfter: 1 }, { text: 'finally' }]));
      const started = Date.now();
      const { result } = await chat(client({ backoffMaxMs: 5000 }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(result.content).toBe('finally');
      expect(stub.requests).toHaveLength(2);
    });

    it('caps Retry-After at backoffMaxMs and prefers retry-after-ms', async () => {
      const { delays, sleep } = recordingSleep();
      stub.setScript(
        sequence([{ httpStatus: 429, retryAfter: 30 }, { httpStatus: 429, retryAfterMs: 7, retryAfter: 30 }, { text: 'ok' }]),
      );
      await chat(client({ backoffMaxMs: 50 }, { sleep }));
      expect(delays).toEqual([50, 7]);
    });

    it('gives up after maxRetries 5xx answers with the last HTTP error, backing off with full jitter', async () => {
      const { delays, sleep } = recordingSleep();
      stub.setScript({ httpStatus: 500, errorMessage: 'upstream exploded' });
      const llm = client({ maxRetries: 3, backoffBaseMs: 100, backoffMaxMs: 250 }, { sleep, random: () => 0.5 });
      const { error } = await failingChat(llm);
      expect(error).toBeInstanceOf(LlmHttpError);
      expect(error).toMatchObject({ status: 500, retryable: true, code: 'LLM_HTTP_ERROR' });
      expect((error as LlmHttpError).bodyExcerpt).toContain('upstream exploded');
      expect((error as Error).message).toContain('upstream exploded');
      expect(stub.requests).toHaveLength(4);
      expect(delays).toEqual([50, 100, 125]);
    });

    it('recovers from a 503', async () => {
      stub.setScript(sequence([{ httpStatus: 503 }, { text: 'back' }]));
      const { result } = await chat(client());
      expect(result.content).toBe('back');
    });

    it('does not retry a 400', async () => {
      stub.setScript({ httpStatus: 400, errorMessage: "'messages' is too long" });
      const { error } = await failingChat(client({ maxRetries: 3 }));
      expect(error).toBeInstanceOf(LlmHttpError);
      expect(error).toMatchObject({ status: 400, retryable: false });
      expect((error as Error).message).toContain("'messages' is too long");
      expect(stub.requests).toHaveLength(1);
    });

    it('reports a refused connection as a retryable network error', async () => {
      const url = stub.url;
      await stub.close();
      const { error } = await failingChat(client({ baseUrl: url, maxRetries: 1 }));
      expect(error).toBeInstanceOf(LlmNetworkError);
      expect(error).toMatchObject({ retryable: true, code: 'LLM_NETWORK_ERROR' });
    });
  });

  describe('timeouts', () => {
    it('times out a server that accepts and sends nothing, and hangs up', async () => {
      stub.setScript({ hang: true });
      const started = Date.now();
      const { error } = await failingChat(client({ timeoutMs: 300, maxRetries: 0 }));
      expect(error).toBeInstanceOf(LlmTimeoutError);
      expect(error).toMatchObject({ retryable: true, timeoutMs: 300 });
      expect(Date.now() - started).toBeLessThan(1500);
      await waitFor(() => stub.openConnections() === 0);
    });

    it('times out a stream that stalls after text, without retrying, and destroys the socket', async () => {
      stub.setScript({ text: 'a b c d e', hang: { afterChunks: 3 } });
      const { deltas, error } = await failingChat(client({ timeoutMs: 400, maxRetries: 2 }));
      expect(error).toBeInstanceOf(LlmTimeoutError);
      expect(deltas).toEqual(['a', ' b']);
      expect(stub.requests).toHaveLength(1);
      await waitFor(() => stub.openConnections() === 0);
    });

    it('retries a hang that happened before any text', async () => {
      stub.setScript(sequence([{ hang: true }, { text: 'awake' }]));
      const { result } = await chat(client({ timeoutMs: 300, maxRetries: 1 }));
      expect(result.content).toBe('awake');
      expect(stub.requests).toHaveLength(2);
    });

    it('covers slow but steady streams inside the budget', async () => {
      stub.setScript({ text: 'slow and steady', ttftMs: 50, tokenDelayMs: 30 });
      const { result } = await chat(client({ timeoutMs: 1000 }));
      expect(result.content).toBe('slow and steady');
    });
  });

  describe('circuit breaker', () => {
    it('opens after N failures, fails fast without a request, then recovers through a half-open trial', async () => {
      const clock = { now: 1_000_000 };
      const llm = client({ maxRetries: 0, breaker: { failureThreshold: 3, cooldownMs: 5000 } }, { now: () => clock.now });
      stub.setScript({ httpStatus: 500 });
      for (let i = 0; i < 3; i += 1) expect((await failingChat(llm)).error).toBeInstanceOf(LlmHttpError);
      expect(llm.circuitState).toBe('open');

      const { error } = await failingChat(llm);
      expect(error).toBeInstanceOf(LlmCircuitOpenError);
      expect(error).toMatchObject({ retryable: false, retryInMs: 5000 });
      expect(stub.requests).toHaveLength(3);

      clock.now += 5000;
      expect(llm.circuitState).toBe('half-open');
      stub.setScript({ text: 'healthy again' });
      expect((await chat(llm)).result.content).toBe('healthy again');
      expect(llm.circuitState).toBe('closed');
      expect(stub.requests).toHaveLength(4);
    });

    it('re-opens when the half-open trial fails', async () => {
      const clock = { now: 0 };
      const llm = client({ maxRetries: 0, breaker: { failureThreshold: 1, cooldownMs: 100 } }, { now: () => clock.now });
      stub.setScript({ httpStatus: 503 });
      await failingChat(llm);
      clock.now = 100;
      expect((await failingChat(llm)).error).toBeInstanceOf(LlmHttpError);
      expect(llm.circuitState).toBe('open');
      expect((await failingChat(llm)).error).toBeInstanceOf(LlmCircuitOpenError);
      expect(stub.requests).toHaveLength(2);
    });

    it('stops retrying once its own failures open the circuit', async () => {
      stub.setScript({ httpStatus: 500 });
      const llm = client({ maxRetries: 5, breaker: { failureThreshold: 2, cooldownMs: 60_000 } });
      expect((await failingChat(llm)).error).toBeInstanceOf(LlmCircuitOpenError);
      expect(stub.requests).toHaveLength(2);
    });

    it('is not tripped by 4xx answers other than 429', async () => {
      const llm = client({ maxRetries: 0, breaker: { failureThreshold: 1, cooldownMs: 60_000 } });
      stub.setScript({ httpStatus: 400 });
      for (let i = 0; i < 3; i += 1) expect((await failingChat(llm)).error).toBeInstanceOf(LlmHttpError);
      expect(llm.circuitState).toBe('closed');
      expect(stub.requests).toHaveLength(3);
    });

    it('is tripped by timeouts and by 429s', async () => {
      const llm = client({ maxRetries: 0, timeoutMs: 150, breaker: { failureThreshold: 2, cooldownMs: 60_000 } });
      stub.setScript(sequence([{ httpStatus: 429 }, { hang: true }]));
      expect((await failingChat(llm)).error).toBeInstanceOf(LlmHttpError);
      expect((await failingChat(llm)).error).toBeInstanceOf(LlmTimeoutError);
      expect(llm.circuitState).toBe('open');
    });
  });

  describe('the caller', () => {
    it('can abort mid-stream; the call is neither retried nor counted as a server failure', async () => {
      stub.setScript({ text: 'one two three four five', tokenDelayMs: 40 });
      const llm = client({ maxRetries: 3, breaker: { failureThreshold: 1, cooldownMs: 60_000 } });
      const controller = new AbortController();
      const deltas: string[] = [];
      const call = llm.streamChat({ messages, signal: controller.signal }, (text) => {
        deltas.push(text);
        controller.abort();
      });
      await expect(call).rejects.toBeInstanceOf(LlmAbortedError);
      expect(deltas).toEqual(['one']);
      expect(stub.requests).toHaveLength(1);
      expect(llm.circuitState).toBe('closed');
      await waitFor(() => stub.openConnections() === 0);
    });

    it('gets its own listener error back untouched', async () => {
      const llm = client({ breaker: { failureThreshold: 1, cooldownMs: 60_000 } });
      const failure = new Error('websocket gone');
      const call = llm.streamChat({ messages }, () => {
        throw failure;
      });
      await expect(call).rejects.toBe(failure);
      expect(stub.requests).toHaveLength(1);
      expect(llm.circuitState).toBe('closed');
    });
  });
});
