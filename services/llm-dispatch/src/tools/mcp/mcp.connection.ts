import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, ToolListChangedNotificationSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '@chatbot/runtime';
import { backoffDelay, sleep } from '../../llm/backoff';
import type { McpServerConfig } from './mcp.config';
import { McpProtocolError, McpTimeoutError, McpTransportError, McpUnavailableError } from './mcp.errors';

export type ConnectionState = 'connecting' | 'ready' | 'stopped';

export interface ConnectionOptions {
  /** Budget of the handshake and of each tools/list. */
  requestTimeoutMs: number;
  /** Reconnect backoff: full jitter from this base, capped at `reconnectMaxMs`. */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  random?: () => number;
}

const CLIENT_INFO = { name: 'llm-dispatch', version: '0.1.0' };

/**
 * One tool server: connects, lists its tools (again on `notifications/tools/list_changed`), and
 * reconnects with capped backoff whenever it is down or the connection drops, for as long as the
 * worker runs. A server down at start only delays its tools.
 */
export class McpConnection {
  private client: Client | undefined;
  private current: ConnectionState = 'connecting';
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly server: McpServerConfig,
    private readonly options: ConnectionOptions,
    private readonly onTools: (tools: Tool[]) => void,
    private readonly logger: Logger,
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.current = 'stopped';
    this.stopping.abort();
    await this.client?.close().catch(() => undefined);
    await this.loop;
  }

  async callTool(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<CallToolResult> {
    const { client } = this;
    if (!client || this.current !== 'ready') throw new McpUnavailableError(`tool server ${this.server.name} is not connected`);
    try {
      return (await client.callTool({ name, arguments: args }, undefined, { timeout: timeoutMs })) as CallToolResult;
    } catch (error) {
      const failure = classify(error, timeoutMs);
      // A lost HTTP session or a dead socket does not close the client by itself: start over.
      if (failure instanceof McpTransportError) void client.close().catch(() => undefined);
      throw failure;
    }
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopping.signal.aborted; attempt += 1) {
      const closed = await this.connect().catch((error: unknown) => {
        this.logger.warn({ server: this.server.name, attempt, err: describe(error) }, 'tool server unreachable, retrying');
        return undefined;
      });
      if (closed) {
        attempt = 0;
        await closed;
        if (this.stopping.signal.aborted) break;
        this.logger.warn({ server: this.server.name }, 'tool server connection closed, reconnecting');
      }
      this.current = this.stopping.signal.aborted ? 'stopped' : 'connecting';
      this.onTools([]);
      const { reconnectBaseMs, reconnectMaxMs, random = Math.random } = this.options;
      await sleep(reconnectBaseMs + backoffDelay(attempt, reconnectBaseMs, reconnectMaxMs, random), this.stopping.signal).catch(() => undefined);
    }
  }

  /** Connects and lists the tools; resolves to a promise of the connection's end. */
  private async connect(): Promise<Promise<void>> {
    const client = new Client(CLIENT_INFO);
    const closed = new Promise<void>((resolve) => {
      client.onclose = () => resolve();
    });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void this.refresh(client));
    try {
      await client.connect(this.transport(), { timeout: this.options.requestTimeoutMs });
      await this.refresh(client, true);
      if (this.stopping.signal.aborted) throw new Error('stopped while connecting');
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.current = 'ready';
    return closed;
  }

  /** All pages of tools/list. A failed refresh after a change keeps the previous list. */
  private async refresh(client: Client, rethrow = false): Promise<void> {
    try {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: this.options.requestTimeoutMs });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      this.onTools(tools);
      this.logger.info({ server: this.server.name, tools: tools.map((tool) => tool.name) }, 'tool server tools listed');
    } catch (error) {
      if (rethrow) throw error;
      this.logger.warn({ server: this.server.name, err: describe(error) }, 'tool list refresh failed, keeping the previous list');
    }
  }

  private transport(): Transport {
    const { server } = this;
    if (server.url) {
      return new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers } });
    }
    const transport = new StdioClientTransport({
      command: server.command!,
      args: server.args,
      env: { ...getDefaultEnvironment(), ...server.env },
      ...(server.cwd ? { cwd: server.cwd } : {}),
      stderr: 'pipe',
    });
    // The server's own logs, kept apart from the protocol on stdout.
    const stderr = transport.stderr as NodeJS.ReadableStream | null;
    if (stderr) createInterface({ input: stderr }).on('line', (line) => this.logger.debug({ server: server.name, line }, 'tool server stderr'));
    return transport;
  }
}

function classify(error: unknown, timeoutMs: number): Error {
  if (error instanceof McpError) {
    if (error.code === Number(ErrorCode.RequestTimeout)) return new McpTimeoutError(timeoutMs, { cause: error });
    if (error.code === Number(ErrorCode.ConnectionClosed)) return new McpTransportError(error.message, { cause: error });
    return new McpProtocolError(error.message, { cause: error });
  }
  if (error instanceof StreamableHTTPError) return new McpTransportError(error.message, { cause: error });
  return new McpTransportError(describe(error), { cause: error });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
