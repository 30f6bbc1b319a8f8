import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { Bus, Following } from '@chatbot/bus';
import type { AgentServerFrame } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import { originAllowed } from '../http/cors.middleware';
import type { ApiKeySockets } from '../auth/api-key.sockets';
import { checkSocketCaller, UNAUTHORIZED_CLOSE, type SocketCaller, type SocketCallerDeps } from '../auth/socket.caller';

export const AGENT_SOCKET_PATHS: ReadonlySet<string> = new Set(['/api/admin/ws', '/api/admin/ws/']);
/** Offered beside `bearer.<token>` by a browser; the gateway selects it, never the credential. */
export const AGENT_SUBPROTOCOL = 'agents.v1';
/** A signed-in caller without the agent or admin role (4000 + HTTP 403). */
export const FORBIDDEN_CLOSE = 4403;
/** Sent to a console that does not read its events: it reconnects with its last seq and loses nothing. */
const SLOW_READER_CLOSE = 1013;
/** Frames carry only events and a ping; a large client frame is nobody's console. */
const MAX_CLIENT_FRAME_BYTES = 1_024;

export interface AgentSocketsDeps {
  bus: Pick<Bus, 'follow'>;
  logger: Logger;
  callers: SocketCallerDeps;
  corsOrigins: string[];
  pingIntervalMs: number;
  /** Past this many bytes unsent, a socket is closed (SLOW_READER_CLOSE) instead of buffering more. */
  maxBufferedBytes: number;
  /** The gateway's open sockets by API key, closed when their key is revoked. */
  apiKeySockets: Pick<ApiKeySockets, 'add' | 'remove'>;
}

interface AgentPeer {
  ws: WebSocket;
  following: Following | null;
  alive: boolean;
  expiry: NodeJS.Timeout | null;
}

/**
 * The agents' socket, `/api/admin/ws`: every agent event (AGENT_EVENTS) since the seq the console
 * resumes after (`?after=`), then the new ones as chat-log publishes them. Each socket follows the
 * stream with an ordered consumer of its own, so any gateway serves any agent and a reconnect to
 * another gateway misses nothing. Credentials as the chat sockets take them; agents and admins only.
 */
export class AgentSockets {
  private readonly wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: MAX_CLIENT_FRAME_BYTES,
    handleProtocols: (offered) => (offered.has(AGENT_SUBPROTOCOL) ? AGENT_SUBPROTOCOL : false),
  });
  private readonly peers = new Set<AgentPeer>();
  private readonly heartbeat: NodeJS.Timeout;
  private accepting = true;

  constructor(server: Server, private readonly deps: AgentSocketsDeps) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.heartbeat = setInterval(() => this.ping(), deps.pingIntervalMs);
    this.heartbeat.unref();
  }

  async close(): Promise<void> {
    this.accepting = false;
    clearInterval(this.heartbeat);
    await Promise.all([...this.peers].map((peer) => this.end(peer, 1001, 'server shutting down')));
    this.wss.close();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (!AGENT_SOCKET_PATHS.has(url.pathname)) return; // the chat sockets answer every other path
    if (!this.accepting) return refuse(socket, 503, 'Service Unavailable');
    if (!originAllowed(this.deps.corsOrigins, req.headers.origin)) return refuse(socket, 403, 'Forbidden');
    checkSocketCaller(this.deps.callers, req, url.searchParams, true).then(
      (check) =>
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          ws.on('error', () => undefined);
          // Refused after the upgrade, so that a browser can read why.
          if (!check.ok) return ws.close(UNAUTHORIZED_CLOSE, check.reason);
          if (check.caller === null || (check.caller.role !== 'agent' && check.caller.role !== 'admin')) {
            return ws.close(FORBIDDEN_CLOSE, 'agents and admins only');
          }
          void this.admit(ws, check.caller, parseAfter(url.searchParams.get('after')));
        }),
      (error: unknown) => {
        this.deps.logger.error({ err: error }, 'agent socket credential check failed');
        refuse(socket, 500, 'Internal Server Error');
      },
    );
  }

  private async admit(ws: WebSocket, caller: SocketCaller, after: number | null): Promise<void> {
    const peer: AgentPeer = { ws, following: null, alive: true, expiry: null };
    this.peers.add(peer);
    ws.on('pong', () => (peer.alive = true));
    ws.on('close', () => void this.end(peer, 1000, ''));
    if (caller.apiKey) this.deps.apiKeySockets.add(caller.apiKey, peer, () => void this.end(peer, UNAUTHORIZED_CLOSE, 'API key revoked'));
    if (caller.expiresAtMs !== null) this.armExpiry(peer, caller.expiresAtMs);
    // Events that arrive before the ready frame went out wait for it.
    let held: AgentServerFrame[] | null = [];
    try {
      peer.following = await this.deps.bus.follow('agentEvent', after, ({ payload, seq }) => {
        const frame = { ...payload, seq };
        if (held) held.push(frame);
        else this.send(peer, frame);
      });
    } catch (error) {
      this.deps.logger.warn({ err: error, accountId: caller.accountId }, 'agent socket could not follow the agent events');
      return this.end(peer, 1011, 'events unavailable');
    }
    if (!this.peers.has(peer)) return void (await peer.following.stop());
    this.send(peer, { type: 'ready', resumed_after: peer.following.resumedAfter, first_seq: peer.following.firstSeq });
    const waiting = held;
    held = null;
    waiting.forEach((frame) => this.send(peer, frame));
  }

  private send(peer: AgentPeer, frame: AgentServerFrame): void {
    if (peer.ws.readyState !== WebSocket.OPEN) return;
    if (peer.ws.bufferedAmount > this.deps.maxBufferedBytes) return void this.end(peer, SLOW_READER_CLOSE, 'slow reader: resume with after');
    peer.ws.send(JSON.stringify(frame));
  }

  /** setTimeout holds at most 2^31-1 ms (an API key lives for months): a later deadline is looked at again then. */
  private armExpiry(peer: AgentPeer, deadline: number): void {
    const wait = Math.min(Math.max(0, deadline - Date.now()), 2_147_483_647);
    peer.expiry = setTimeout(() => {
      if (Date.now() >= deadline) void this.end(peer, UNAUTHORIZED_CLOSE, 'token expired');
      else this.armExpiry(peer, deadline);
    }, wait);
  }

  private async end(peer: AgentPeer, code: number, reason: string): Promise<void> {
    if (!this.peers.delete(peer)) return;
    this.deps.apiKeySockets.remove(peer);
    if (peer.expiry) clearTimeout(peer.expiry);
    if (peer.ws.readyState === WebSocket.OPEN) peer.ws.close(code, reason);
    await peer.following?.stop();
  }

  /** A console whose pong to the previous ping has not come back is cut off. */
  private ping(): void {
    for (const peer of this.peers) {
      if (!peer.alive) {
        peer.ws.terminate();
        void this.end(peer, 1006, '');
        continue;
      }
      peer.alive = false;
      peer.ws.ping();
    }
  }
}

/** `after`: the last seq the console handled; absent or unusable: from now on. */
function parseAfter(value: string | null): number | null {
  return value !== null && /^\d{1,15}$/.test(value) ? Number(value) : null;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
