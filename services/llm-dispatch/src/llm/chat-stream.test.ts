import { ChatStreamReader, ListenerFailure } from './chat-stream';
import { LlmNetworkError, LlmProtocolError, LlmStreamError } from './llm.errors';

const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
  JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason }] });

function read(events: string[]): { deltas: string[]; reader: ChatStreamReader } {
  const deltas: string[] = [];
  const reader = new ChatStreamReader((text) => deltas.push(text));
  for (const data of events) if (!reader.push(data)) break;
  return { deltas, reader };
}

describe('ChatStreamReader', () => {
  it('passes text on as it arrives and joins it into the content', () => {
    const { deltas, reader } = read([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo' }),
      chunk({}, 'stop'),
      '[DONE]',
    ]);
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(reader.finish()).toEqual({ content: 'Hello', toolCalls: [], finishReason: 'stop' });
  });

  it('joins interleaved tool-call fragments by index', () => {
    const { reader } = read([
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'time', arguments: '{"tz":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '"UTC"}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(reader.finish()).toEqual({
      content: '',
      toolCalls: [
        { id: 'call_a', name: 'weather', arguments: '{"city":"Oslo"}' },
        { id: 'call_b', name: 'time', arguments: '{"tz":"UTC"}' },
      ],
      finishReason: 'tool_calls',
    });
  });

  it('takes Ollama-style whole calls without index and corrects finish_reason "stop" to tool_calls', () => {
    const { reader } = read([
      chunk({ content: '', tool_calls: [{ id: 'call_1', function: { name: 'a', arguments: '{}' } }] }),
      chunk({ content: '', tool_calls: [{ id: 'call_2', function: { name: 'b', arguments: { x: 1 } } }] }),
      chunk({ content: '' }, 'stop'),
    ]);
    const result = reader.finish();
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([
      { id: 'call_1', name: 'a', arguments: '{}' },
      { id: 'call_2', name: 'b', arguments: '{"x":1}' },
    ]);
  });

  it('starts a new call when a used index arrives with a different id', () => {
    const { reader } = read([
      chunk({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'a', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_2', function: { name: 'b', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(reader.finish().toolCalls.map((call) => call.id)).toEqual(['call_1', 'call_2']);
  });

  it('invents an id when the server sends none', () => {
    const { reader } = read([chunk({ tool_calls: [{ function: { name: 'a', arguments: '{}' } }] }, 'stop')]);
    expect(reader.finish().toolCalls[0]?.id).toMatch(/^call_/);
  });

  it.each([
    ['[]', []],
    ['null', null],
  ])('reads usage from a final chunk with choices: %s', (_label, choices) => {
    const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
    const { reader } = read([
      JSON.stringify({ choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }], usage: null }),
      chunk({}, 'stop'),
      JSON.stringify({ choices, usage }),
      '[DONE]',
    ]);
    expect(reader.finish()).toEqual({ content: 'hi', toolCalls: [], finishReason: 'stop', usage });
  });

  it('accepts a stream that ends without [DONE] once finish_reason arrived', () => {
    const { reader } = read([chunk({ content: 'x' }), chunk({}, 'length')]);
    expect(reader.finish().finishReason).toBe('length');
  });

  it('reports a stream cut off before finish_reason and [DONE] as a network failure', () => {
    const { reader } = read([chunk({ content: 'x' })]);
    expect(() => reader.finish()).toThrow(LlmNetworkError);
  });

  it('ignores anything after [DONE]', () => {
    const { reader } = read([chunk({ content: 'a' }, 'stop'), '[DONE]']);
    expect(reader.push(chunk({ content: 'late' }))).toBe(false);
    expect(reader.finish().content).toBe('a');
  });

  it('turns an error event into a stream error that is retryable only before any text', () => {
    const early = new ChatStreamReader(() => undefined);
    const error = { error: { message: 'overloaded', type: 'server_error' } };
    expect(() => early.push(JSON.stringify(error))).toThrow(
      expect.objectContaining({ code: 'LLM_STREAM_ERROR', retryable: true, errorType: 'server_error' }),
    );

    const late = new ChatStreamReader(() => undefined);
    late.push(chunk({ content: 'partial' }));
    let thrown: unknown;
    try {
      late.push(JSON.stringify(error));
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(LlmStreamError);
    expect((thrown as LlmStreamError).retryable).toBe(false);
    expect((thrown as LlmStreamError).message).toContain('overloaded');
  });

  it('rejects malformed chunk JSON with a protocol error', () => {
    const reader = new ChatStreamReader(() => undefined);
    expect(() => reader.push('{"choices": [')).toThrow(LlmProtocolError);
    expect(() => reader.push('42')).toThrow(LlmProtocolError);
  });

  it('reads a whole non-streamed chat.completion the same way', () => {
    const { deltas, reader } = read([
      JSON.stringify({
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: 'whole' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    ]);
    expect(deltas).toEqual(['whole']);
    expect(reader.finish().usage?.total_tokens).toBe(2);
  });

  it("wraps an error thrown by the caller's listener so it is not blamed on the server", () => {
    const reader = new ChatStreamReader(() => {
      throw new Error('socket to user closed');
    });
    expect(() => reader.push(chunk({ content: 'x' }))).toThrow(ListenerFailure);
  });
});
