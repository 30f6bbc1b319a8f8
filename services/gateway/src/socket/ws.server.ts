import type { IncomingMessage, Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { errorCatalogue } from '@chatbot/proto';
import { AddressLedger, type AddressLimits } from './address.ledger';
import { clientAddress } from './client.address';
import { originAllowed } from '../http/cors.middleware';
import { SessionConnection, type ConnectionDeps } from '../session/session.connection';
import { startHeartbeat } from './socket.heartbeat';
import { CHAT_PATHS, readHandshake, readSeedHandshake, SEED_PATHS, selectSubprotocol } from './ws.handshake';
import { checkSocketCaller, UNAUTHORIZED_CLOSE, type SocketCaller, type SocketCallerDeps, type UpgradeCheck } from '../auth/socket.caller';
import { SESSION_NOT_FOUND_CLOSE } from '../session/session.access';
import { SessionHolders } from './session.holders';
import type { SeedWire } from './wire.codec';
import { AGENT_SOCKET_PATHS } from '../agents/agent.sockets';
import type { ApiKeySockets } from '../auth/api-key.sockets';

export interface ChatSocketsDeps extends ConnectionDeps {
  maxPayloadBytes: number;
  corsOrigins: string[];
  pingIntervalMs: number;
  /** Proxies whose X-Forwarded-For is believed (0: none). */
  trustedProxyHops: number;
  perAddress: AddressLimits;
  /** Checks a socket's access token or API key at the upgrade. */
  callers: SocketCallerDeps;
  /** AUTH_REQUIRED: anonymous sockets are refused on every path (seed 001's always needs a credential). */
  authRequired: boolean;
  /** The gateway's open sockets by API key, closed when their key is revoked. */
  apiKeySockets: ApiKeySockets;
}

/** Addresses with no socket are forgotten once their bucket refilled; this is how often we look. */
const ADDRESS_SWEEP_MS = 10_000;
/** The longest an idle socket may outlive WS_IDLE_TIMEOUT_MS: the idle sweep runs at least this often. */
const IDLE_SWEEP_MAX_MS = 10_000;
/** Sockets that ask chat-log for lost frames at the same time after a reconnect. */
const CATCH_UP_BATCH = 32;

/**
 * The chat WebSockets on the API's HTTP server: `/api/chat/ws` (v1, v2) and the seed clients' paths
 * (`/ws/chat`, `/ws/emotion`), one session per socket.
 */
export class ChatSockets {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Map<WebSocket, SessionConnection>();
  private readonly sessions = new SessionHolders();
  private readonly addresses: AddressLedger;
  private readonly stopHeartbeat: () => void;
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleSweeper: NodeJS.Timeout;
  private accepting = true;
  /**
   * Every socket's listeners, shared: ws calls them with the socket as `this` (a closure per socket
   * and event would cost memory on each of thousands of idle sockets).
   */
  private readonly listeners: { pong(this: WebSocket): void; error(this: WebSocket, error: Error): void; close(this: WebSocket, code: number): void };

  constructor(server: Server, private readonly deps: ChatSocketsDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // Compression stays off: a small compressed frame could inflate past maxPayload in memory.
      perMessageDeflate: false,
      maxPayload: deps.maxPayloadBytes,
      handleProtocols: selectSubprotocol,
    });
    this.addresses = new AddressLedger(deps.perAddress, () => performance.now());
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.stopHeartbeat = startHeartbeat(deps.pingIntervalMs, () => this.sockets.values());
    this.sweeper = setInterval(() => this.sweepAddresses(), ADDRESS_SWEEP_MS);
    this.sweeper.unref();
    // Closes at most a tenth of the timeout late (IDLE_SWEEP_MAX_MS at most), with one timer for all sockets.
    const idleSweepMs = Math.max(100, Math.min(IDLE_SWEEP_MAX_MS, deps.limits.idleTimeoutMs / 10));
    this.idleSweeper = setInterval(() => this.sweepIdle(), idleSweepMs);
    this.idleSweeper.unref();
    this.listeners = socketListeners(this);
  }

  /**
   * After the broker link came back: every socket awaiting a reply fetches the frames it lost,
   * a few at a time so that thousands of sockets do not ask chat-log at once.
   */
  async catchUp(): Promise<void> {
    const connections = [...this.sockets.values()];
    this.deps.logger.info({ sockets: connections.length }, 'broker link back: fetching frames lost meanwhile');
    for (let first = 0; first < connections.length; first += CATCH_UP_BATCH) {
      // Each connection asks only when it awaits a reply (SessionConnection.catchUp).
      await Promise.all(connections.slice(first, first + CATCH_UP_BATCH).map((connection) => connection.catchUp()));
    }
  }

  /** Closes every socket (1001: the client may resume elsewhere) and accepts no new ones. */
  async close(): Promise<void> {
    this.accepting = false;
    this.stopHeartbeat();
    clearInterval(this.sweeper);
    clearInterval(this.idleSweeper);
    await Promise.all([...this.sockets.values()].map((c) => c.closer.close('shutdown', 1001, 'server shutting down')));
    this.wss.close();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (!this.accepting) return this.refuse(socket, 'shutting_down', 503, 'Service Unavailable');
    if (AGENT_SOCKET_PATHS.has(url.pathname)) return; // the agents' socket answers its own upgrades
    const wire = SEED_PATHS.get(url.pathname);
    if (!CHAT_PATHS.has(url.pathname) && !wire) return this.refuse(socket, 'path', 404, 'Not Found');
    if (!originAllowed(this.deps.corsOrigins, req.headers.origin)) return this.refuse(socket, 'origin', 403, 'Forbidden');
    const required = wire === 'seed001' || this.deps.authRequired;
    checkSocketCaller(this.deps.callers, req, url.searchParams, required).then(
      (check) => this.upgrade(req, socket, head, url.searchParams, wire, check),
      (error: unknown) => {
        this.deps.logger.error({ err: error }, 'socket credential check failed');
        this.refuse(socket, 'token_check', 500, 'Internal Server Error');
      },
    );
  }

  /** After the credential check, which may have taken a while: shutdown and the cap are read now. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams, wire: SeedWire | undefined, check: UpgradeCheck): void {
    if (!this.accepting) return this.refuse(socket, 'shutting_down', 503, 'Service Unavailable');
    const address = clientAddress(req, this.deps.trustedProxyHops);
    if (!this.addresses.canConnect(address)) {
      return this.refuse(socket, 'connection_limit', 429, 'Too Many Requests', { error: errorCatalogue.E4010.text, code: 'E4010' });
    }
    // ws calls back synchronously (or not at all), so no other upgrade can slip past the cap meanwhile.
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // Refused after the upgrade, so that a browser client can read why (it never sees an HTTP status).
      if (!check.ok) return this.unauthorized(ws, check.reason);
      this.admit(ws, query, address, wire, check.caller);
    });
  }

  private unauthorized(ws: WebSocket, reason: string): void {
    this.deps.metrics.refuseUpgrade('token');
    ws.on('error', () => undefined);
    ws.close(UNAUTHORIZED_CLOSE, reason);
  }

  private admit(ws: WebSocket, query: URLSearchParams, address: string, wire: SeedWire | undefined, caller: SocketCaller | null): void {
    const handshake = wire ? readSeedHandshake(wire, query) : readHandshake(ws.protocol, query);
    const { sessionId } = handshake;
    const admission = this.sessions.admit(sessionId, caller?.accountId ?? null, ws);
    // Held here by another identity: refused like a session chat-log says is not theirs.
    if (!admission.admitted) return this.notFound(ws);
    admission.evict.forEach((previous) => this.evict(previous));
    const connection = new SessionConnection(this.deps, ws, handshake, caller, this.addresses.attach(address));
    this.sockets.set(ws, connection);
    if (caller?.apiKey) {
      this.deps.apiKeySockets.add(caller.apiKey, ws, () => void connection.closer.close('credential_revoked', UNAUTHORIZED_CLOSE, 'API key revoked'));
    }
    this.updateGauges();
    ws.on('pong', this.listeners.pong);
    ws.on('error', this.listeners.error);
    ws.on('close', this.listeners.close);
    connection.open().catch((error: unknown) => {
      this.deps.logger.error({ err: error, sessionId }, 'session setup failed');
      void connection.closer.close('setup_failed', 1011, 'session setup failed');
    });
  }

  private notFound(ws: WebSocket): void {
    this.deps.metrics.refuseUpgrade('session');
    ws.on('error', () => undefined);
    ws.close(SESSION_NOT_FOUND_CLOSE, 'session not found');
  }

  /** A resumed anonymous session moves to the new socket: the old one stops receiving its frames at once. */
  private evict(previous: WebSocket): void {
    const connection = this.sockets.get(previous);
    connection?.close();
    void connection?.closer.close('resumed', 4001, 'session resumed on another connection');
  }

  /** For socketListeners only: the connection of a socket that is open here. */
  connectionOf(ws: WebSocket): SessionConnection | undefined {
    return this.sockets.get(ws);
  }

  onSocketError(connection: SessionConnection, error: Error): void {
    if (connection.closer.protocolError(error) === 'too_large') this.deps.metrics.reject('too_large');
    this.deps.logger.debug({ err: error, sessionId: connection.sessionId }, 'socket error');
  }

  forget(ws: WebSocket, connection: SessionConnection, code: number): void {
    connection.closer.ended(code);
    connection.close();
    this.sockets.delete(ws);
    this.deps.apiKeySockets.remove(ws);
    this.sessions.release(connection.sessionId, ws);
    this.updateGauges();
  }

  private sweepIdle(): void {
    const now = performance.now();
    for (const connection of this.sockets.values()) connection.closeIfIdle(now);
  }

  private sweepAddresses(): void {
    this.addresses.sweep();
    this.deps.metrics.addresses.set(this.addresses.size);
  }

  private updateGauges(): void {
    this.deps.metrics.connections.set(this.sockets.size);
    this.deps.metrics.sessions.set(this.sessions.size);
    this.deps.metrics.addresses.set(this.addresses.size);
  }

  private refuse(socket: Duplex, reason: string, status: number, text: string, body?: object): void {
    this.deps.metrics.refuseUpgrade(reason);
    const payload = body ? JSON.stringify(body) : '';
    const type = body ? 'Content-Type: application/json\r\n' : '';
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`);
  }
}

function socketListeners(chat: ChatSockets) {
  return {
    pong(this: WebSocket): void {
      const connection = chat.connectionOf(this);
      if (connection) connection.alive = true;
    },
    error(this: WebSocket, error: Error): void {
      const connection = chat.connectionOf(this);
      if (connection) chat.onSocketError(connection, error);
    },
    close(this: WebSocket, code: number): void {
      const connection = chat.connectionOf(this);
      if (connection) chat.forget(this, connection, code);
    },
  };
}
