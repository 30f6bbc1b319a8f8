import { sequence, startStubLlm, type RecordedRequest, type StubLlm } from './stub-llm';

let stub: StubLlm;

beforeEach(async () => {
  stub = await startStubLlm();
});

afterEach(async () => {
  await stub.close();
});

const userMessages = [{ role: 'user', content: 'hello there' }];

function post(body: Record<string, unknown>, signal?: AbortSignal): Promise<globalThis.Response> {
  return fetch(`${stub.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}

const streamBody = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-test',
  messages: userMessages,
  stream: true,
  stream_options: { include_usage: true },
  ...extra,
});

/** Splits an SSE body into its `data` payloads; checks the exact `data: …\n\n` framing on the way. */
function dataOf(body: string): string[] {
  expect(body.endsWith('\n\n')).toBe(true);
  return body
    .split('\n\n')
    .filter((event) => event !== '')
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return event.slice('data: '.length);
    });
}

type Chunk = {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Array<{ index: number; delta: Record<string, unknown>; finish_reason: string | null }> | null;
  usage?: unknown;
};

async function streamChunks(extra: Record<string, unknown> = {}): Promise<{ chunks: Chunk[]; tail: string }> {
  const response = await post(streamBody(extra));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const data = dataOf(await response.text());
  const tail = data[data.length - 1] ?? '';
  const chunks = data.filter((payload) => payload !== '[DONE]').map((payload) => JSON.parse(payload) as Chunk);
  return { chunks, tail };
}

describe('startStubLlm', () => {
  it('streams text as OpenAI chat.completion.chunk events ending in [DONE]', async () => {
    stub.setScript({ text: 'Hello big world' });
    const { chunks, tail } = await streamChunks();
    expect(tail).toBe('[DONE]');
    const first = chunks[0]!;
    expect(first).toMatchObject({ object: 'chat.completion.chunk', model: 'gpt-test', usage: null });
    expect(first.id).toMatch(/^chatcmpl-/);
    expect(typeof first.created).toBe('number');
    expect(chunks.every((chunk) => chunk.id === first.id && chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(first.choices?.[0]?.delta).toMatchObject({ role: 'assistant', content: '' });
    const text = chunks.map((chunk) => chunk.choices?.[0]?.delta['content'] ?? '').filter((content) => content !== '');
    expect(text).toEqual(['Hello', ' big', ' world']);
    expect(chunks[chunks.length - 2]?.choices?.[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks[chunks.length - 1]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
    });
  });

  it('sends usage only when asked, and as choices: null in the vLLM variant', async () => {
    const plain = await streamChunks({ stream_options: undefined });
    expect(plain.chunks.some((chunk) => 'usage' in chunk)).toBe(false);
    expect(plain.chunks.every((chunk) => chunk.choices?.length === 1)).toBe(true);
    stub.setScript({ text: 'x', usage: 'null' });
    const vllm = await streamChunks();
    expect(vllm.chunks[vllm.chunks.length - 1]).toMatchObject({ choices: null, usage: { total_tokens: 3 } });
  });

  it('streams an incremental tool call: id and name first, then argument fragments', async () => {
    stub.setScript({ toolCallIncremental: { id: 'call_1', name: 'lookup', arguments: '{"q":"cats"}' }, argumentFragments: 3 });
    const { chunks } = await streamChunks();
    const fragments = chunks.flatMap((chunk) => (chunk.choices?.[0]?.delta['tool_calls'] as unknown[] | undefined) ?? []);
    expect(fragments[0]).toEqual({ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' } });
    expect(fragments.slice(1)).toEqual([
      { index: 0, function: { arguments: '{"q"' } },
      { index: 0, function: { arguments: ':"ca' } },
      { index: 0, function: { arguments: 'ts"}' } },
    ]);
    expect(chunks.map((chunk) => chunk.choices?.[0]?.finish_reason).filter(Boolean)).toEqual(['tool_calls']);
  });

  it('streams an Ollama-style one-shot tool call without index and finish_reason stop', async () => {
    stub.setScript({ toolCallOneShot: { id: 'call_9', name: 'lookup', arguments: { q: 'dogs' } } });
    const { chunks } = await streamChunks();
    const withCalls = chunks.filter((chunk) => chunk.choices?.[0]?.delta['tool_calls']);
    expect(withCalls).toHaveLength(1);
    expect(withCalls[0]?.choices?.[0]?.delta['tool_calls']).toEqual([
      { id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '{"q":"dogs"}' } },
    ]);
    expect(chunks.map((chunk) => chunk.choices?.[0]?.finish_reason).filter(Boolean)).toEqual(['stop']);
  });

  it('can end without [DONE]', async () => {
    stub.setScript({ text: 'bye', doneMarker: false });
    const { tail } = await streamChunks();
    expect(JSON.parse(tail)).toMatchObject({ choices: [] });
  });

  it('sends an error event after K chunks and then ends the stream', async () => {
    stub.setScript({ text: 'a b c d', errorMidStream: { afterChunks: 2, message: 'boom' } });
    const response = await post(streamBody());
    const data = dataOf(await response.text());
    expect(data).toHaveLength(3);
    expect(JSON.parse(data[2]!)).toEqual({ error: { message: 'boom', type: 'server_error', param: null, code: null } });
  });

  it('answers an HTTP error with an OpenAI error body and Retry-After', async () => {
    stub.setScript({ httpStatus: 429, retryAfter: 2, retryAfterMs: 1500 });
    const response = await post(streamBody());
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('retry-after-ms')).toBe('1500');
    expect(await response.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
  });

  it('rejects a request without messages as OpenAI does', async () => {
    const response = await post({ model: 'm', stream: true });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('answers non-stream requests with one chat.completion', async () => {
    stub.setScript({ text: 'All at once', toolCallOneShot: { id: 'call_2', name: 'f', arguments: '{}' } });
    const response = await post({ model: 'gpt-test', messages: userMessages });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-test',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'All at once', tool_calls: [{ id: 'call_2', function: { name: 'f' } }] },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 },
    });
  });

  it('waits ttftMs before the first chunk and tokenDelayMs between chunks', async () => {
    stub.setScript({ text: 'a b c', ttftMs: 150, tokenDelayMs: 40 });
    const started = Date.now();
    const response = await post(streamBody());
    await response.text();
    // Six chunks (role, three words, finish, usage): the first after 150 ms, five more 40 ms apart.
    expect(Date.now() - started).toBeGreaterThanOrEqual(150 + 5 * 40 - 10);
  });

  it('gives scripts the parsed body and a call index that restarts on setScript', async () => {
    const seen: Array<[RecordedRequest, number]> = [];
    stub.setScript((request, callIndex) => {
      seen.push([request, callIndex]);
      return { text: `call ${callIndex}` };
    });
    await (await post(streamBody())).text();
    await (await post(streamBody({ model: 'second' }))).text();
    expect(seen.map(([request, index]) => [request.model, index])).toEqual([['gpt-test', 0], ['second', 1]]);
    stub.setScript(sequence([{ httpStatus: 503 }, { text: 'ok' }]));
    expect((await post(streamBody())).status).toBe(503);
    expect((await post(streamBody())).status).toBe(200);
    expect((await post(streamBody())).status).toBe(200);
    expect(stub.requests).toHaveLength(5);
    expect(stub.requests[1]).toMatchObject({ model: 'second', messages: userMessages, stream: true });
  });

  it('close() promptly ends hung requests and stalled streams', async () => {
    stub.setScript(sequence([{ hang: true }, { text: 'a b c', hang: { afterChunks: 2 } }]));
    const silent = post(streamBody()).then(
      () => 'answered',
      () => 'failed',
    );
    const stalled = await post(streamBody());
    const reader = stalled.body!.getReader();
    const firstBytes = await reader.read();
    expect(new TextDecoder().decode(firstBytes.value)).toContain('chat.completion.chunk');
    const rest = (async () => {
      for (;;) if ((await reader.read()).done) return 'ended';
    })().catch(() => 'failed');

    await waitUntil(() => stub.requests.length === 2);
    const started = Date.now();
    await stub.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await silent).toBe('failed');
    expect(await rest).toBe('failed');
    expect(stub.openConnections()).toBe(0);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
