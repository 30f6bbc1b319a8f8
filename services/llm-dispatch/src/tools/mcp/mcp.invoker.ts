import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { backoffDelay, sleep as realSleep, type Sleep } from '../../llm/backoff';
import { CircuitBreaker, type CircuitState } from '../../llm/circuit-breaker';
import type { McpConnection } from './mcp.connection';
import { isMcpToolError, McpCircuitOpenError, McpProtocolError, McpUnavailableError } from './mcp.errors';

export interface InvokerOptions {
  timeoutMs: number;
  maxRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  breaker: { failureThreshold: number; cooldownMs: number };
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
}

/**
 * Calls one server's tools with the protections of the model call: a timeout per attempt,
 * retries with jittered backoff, and a circuit breaker shared by all its tools.
 */
export class McpInvoker {
  private readonly breaker: CircuitBreaker;
  private readonly sleep: Sleep;
  private readonly random: () => number;

  constructor(
    private readonly connection: Pick<McpConnection, 'callTool'>,
    private readonly options: InvokerOptions,
  ) {
    this.breaker = new CircuitBreaker({ ...options.breaker, now: options.now, openError: (ms) => new McpCircuitOpenError(ms) });
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
  }

  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  /**
   * `retry` false for a tool that does not say it is read-only or idempotent: a call that timed
   * out may still have done its work, and doing it twice could be worse than failing.
   */
  async call(name: string, args: Record<string, unknown>, retry: boolean): Promise<CallToolResult> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.attempt(name, args);
      } catch (error) {
        const again = retry && isMcpToolError(error) && error.retryable && attempt < this.options.maxRetries;
        if (!again) throw error;
        await this.sleep(backoffDelay(attempt, this.options.backoffBaseMs, this.options.backoffMaxMs, this.random));
      }
    }
  }

  private async attempt(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    this.breaker.acquire();
    try {
      const result = await this.connection.callTool(name, args, this.options.timeoutMs);
      this.breaker.recordSuccess();
      return result;
    } catch (error) {
      // A JSON-RPC error is an answer: the server is up. Not connected says nothing new.
      if (error instanceof McpProtocolError) this.breaker.recordSuccess();
      else if (error instanceof McpUnavailableError) this.breaker.release();
      else this.breaker.recordFailure();
      throw error;
    }
  }
}
