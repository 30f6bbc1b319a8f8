import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { McpCircuitOpenError, McpProtocolError, McpTimeoutError, McpUnavailableError } from './mcp.errors';
import { McpInvoker } from './mcp.invoker';

const ok: CallToolResult = { content: [{ type: 'text', text: 'ok' }] };

/** A server connection that answers with the scripted outcomes in turn, and counts the calls. */
function scripted(outcomes: Array<CallToolResult | Error>) {
  const calls: string[] = [];
  return {
    calls,
    callTool: async (name: string): Promise<CallToolResult> => {
      calls.push(name);
      const next = outcomes.shift() ?? ok;
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

function invoker(connection: ReturnType<typeof scripted>, clock = { now: 0 }) {
  const sleeps: number[] = [];
  const created = new McpInvoker(connection, {
    timeoutMs: 100,
    maxRetries: 2,
    backoffBaseMs: 10,
    backoffMaxMs: 40,
    breaker: { failureThreshold: 3, cooldownMs: 1_000 },
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    now: () => clock.now,
  });
  return { invoker: created, sleeps };
}

describe('McpInvoker', () => {
  it('retries a read-only tool after a timeout, with backoff', async () => {
    const connection = scripted([new McpTimeoutError(100), new McpTimeoutError(100)]);
    const { invoker: subject, sleeps } = invoker(connection);
    await expect(subject.call('get_order', {}, true)).resolves.toEqual(ok);
    expect(connection.calls).toHaveLength(3);
    expect(sleeps).toEqual([5, 10]);
  });

  it('does not repeat a tool that may have done its work', async () => {
    const connection = scripted([new McpTimeoutError(100)]);
    await expect(invoker(connection).invoker.call('cancel_order', {}, false)).rejects.toBeInstanceOf(McpTimeoutError);
    expect(connection.calls).toHaveLength(1);
  });

  it('opens after consecutive failures, refuses during the cool-down, and closes on a good trial', async () => {
    const clock = { now: 0 };
    const connection = scripted([new McpTimeoutError(100), new McpTimeoutError(100), new McpTimeoutError(100)]);
    const { invoker: subject } = invoker(connection, clock);
    await expect(subject.call('get_order', {}, true)).rejects.toBeInstanceOf(McpTimeoutError);
    expect(subject.circuitState).toBe('open');
    await expect(subject.call('get_order', {}, true)).rejects.toBeInstanceOf(McpCircuitOpenError);
    expect(connection.calls).toHaveLength(3);
    clock.now = 1_000;
    expect(subject.circuitState).toBe('half-open');
    await expect(subject.call('get_order', {}, true)).resolves.toEqual(ok);
    expect(subject.circuitState).toBe('closed');
  });

  it('counts a JSON-RPC error as an answer and "not connected" as nothing', async () => {
    const connection = scripted([new McpProtocolError('bad'), new McpProtocolError('bad'), new McpProtocolError('bad'), new McpUnavailableError('down'), new McpUnavailableError('down')]);
    const { invoker: subject } = invoker(connection);
    for (let i = 0; i < 3; i += 1) await expect(subject.call('x', {}, true)).rejects.toBeInstanceOf(McpProtocolError);
    await expect(subject.call('x', {}, false)).rejects.toBeInstanceOf(McpUnavailableError);
    await expect(subject.call('x', {}, false)).rejects.toBeInstanceOf(McpUnavailableError);
    expect(subject.circuitState).toBe('closed');
  });
});
