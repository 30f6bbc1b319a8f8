import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

/** Builds one MCP server; called once per stdio process or per HTTP session. */
export type McpServerFactory = () => McpServer;

export interface HostedMcp {
  /** The HTTP port, or null over stdio. */
  port: number | null;
  /** Every server instance that is connected now, e.g. to announce a changed tool list to all. */
  servers(): McpServer[];
  /** Resolves when a stdio client hung up (its end of stdin closed): nobody is left to serve. Never over HTTP. */
  clientGone: Promise<void>;
  close(): Promise<void>;
}

/** Where the protocol runs: this process's stdin/stdout, or streamable HTTP at `/mcp`. */
export type McpTransportChoice = { kind: 'stdio' } | { kind: 'http'; port: number; host?: string };

export async function hostMcp(factory: McpServerFactory, choice: McpTransportChoice): Promise<HostedMcp> {
  return choice.kind === 'stdio' ? hostStdio(factory) : hostHttp(factory, choice.port, choice.host ?? '127.0.0.1');
}

async function hostStdio(factory: McpServerFactory): Promise<HostedMcp> {
  const server = factory();
  // A client that dies without closing still closes its end of our stdin.
  const clientGone = new Promise<void>((resolve) => process.stdin.once('end', () => resolve()));
  await server.connect(new StdioServerTransport());
  return { port: null, servers: () => [server], clientGone, close: () => server.close() };
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Streamable HTTP with sessions, so a server can push `notifications/tools/list_changed` on the
 * client's GET stream. Each session gets its own server instance (an McpServer serves one transport).
 */
async function hostHttp(factory: McpServerFactory, port: number, host: string): Promise<HostedMcp> {
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>();
  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => fail(res, 500, error instanceof Error ? error.message : 'internal error'));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/mcp') return fail(res, 404, 'not found');
    let body: unknown;
    try {
      body = req.method === 'POST' ? await readJson(req) : undefined;
    } catch (error) {
      return fail(res, 400, error instanceof Error ? error.message : 'unreadable body');
    }
    const sessionId = req.headers['mcp-session-id'];
    const known = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (known) return known.transport.handleRequest(req, res, body);
    if (req.method !== 'POST' || !isInitializeRequest(body)) return fail(res, 404, 'unknown or missing session');
    const server = factory();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      ...loopbackOnly(host, (http.address() as AddressInfo).port),
      onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
      onsessionclosed: (id) => void sessions.delete(id),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
  return {
    port: (http.address() as AddressInfo).port,
    servers: () => [...sessions.values()].map((session) => session.server),
    clientGone: new Promise<void>(() => undefined),
    close: () => closeHttp(http, [...sessions.values()].map((session) => session.server)),
  };
}

/**
 * On a loopback address, only requests naming it as their Host: a web page cannot reach the
 * server through a DNS name it controls (DNS rebinding).
 */
function loopbackOnly(host: string, port: number) {
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) return {};
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  return { enableDnsRebindingProtection: true, allowedHosts };
}

async function closeHttp(http: Server, servers: McpServer[]): Promise<void> {
  await Promise.allSettled(servers.map((server) => server.close()));
  await new Promise<void>((resolve) => {
    http.close(() => resolve());
    http.closeAllConnections();
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    parts.push(chunk as Buffer);
  }
  const text = Buffer.concat(parts).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** A JSON-RPC error body, as the transport itself answers protocol errors. */
function fail(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
