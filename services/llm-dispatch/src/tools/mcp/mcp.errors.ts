/**
 * One class per way a call to a tool server can fail. `code` is stable (logs, metrics and the
 * model's tool message key on it); `retryable` says whether calling again can help.
 */
export abstract class McpToolError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Not connected (down at start, or lost and not back yet). */
export class McpUnavailableError extends McpToolError {
  readonly code = 'MCP_UNAVAILABLE';
  readonly retryable = true;
}

export class McpTimeoutError extends McpToolError {
  readonly code = 'MCP_TIMEOUT';
  readonly retryable = true;

  constructor(readonly timeoutMs: number, options?: { cause?: unknown }) {
    super(`tool call exceeded ${timeoutMs} ms`, options);
  }
}

/** The connection broke during the call. */
export class McpTransportError extends McpToolError {
  readonly code = 'MCP_TRANSPORT';
  readonly retryable = true;
}

/** The server answered with a JSON-RPC error (unknown tool, invalid params…): it is up, the call is wrong. */
export class McpProtocolError extends McpToolError {
  readonly code = 'MCP_PROTOCOL';
  readonly retryable = false;
}

/** Too many failures in a row: calls are refused until the cool-down lets one trial through. */
export class McpCircuitOpenError extends McpToolError {
  readonly code = 'MCP_CIRCUIT_OPEN';
  readonly retryable = false;

  constructor(readonly retryInMs: number) {
    super(`tool server circuit is open; next trial in ${retryInMs} ms`);
  }
}

export function isMcpToolError(value: unknown): value is McpToolError {
  return value instanceof McpToolError;
}
