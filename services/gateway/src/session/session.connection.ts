import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import type { Listening } from '@chatbot/bus';
import { UNAUTHORIZED_CLOSE, type SocketCaller } from '../auth/socket.caller';
import type { AddressSlot } from '../socket/address.ledger';
import { SocketCloser } from '../socket/socket.closer';
import { SocketOutbox, type OutboxLimits } from '../socket/socket.outbox';
import { TokenBucket } from '../limits/token.bucket';
import type { Handshake } from '../socket/ws.handshake';
import { codecFor } from '../socket/wire.codec';
import { ClientFrameHandler, type ClientFrameDeps } from './client-frame.handler';
import { OrderDriver, type OrderDriverDeps } from './order.driver';
import { attendSession } from './presence.responder';
import { askSessionAccess, SessionGate, SESSION_NOT_FOUND_CLOSE, TRY_AGAIN_LATER_CLOSE, type AccessVerdict } from './session.access';
import { SocketOrder } from './socket-order.machine';

/** One clock for every socket's order and idle check (a closure each would cost memory per socket). */
const clock = () => performance.now();

export interface ConnectionLimits extends OutboxLimits {
  /** Client frames a second this socket may send, and its burst. */
  ratePerSecond: number;
  burst: number;
  idleTimeoutMs: number;
}

export interface ConnectionDeps extends ClientFrameDeps, OrderDriverDeps {
  limits: ConnectionLimits;
}

/**
 * One socket = one session: its client frames and its deliveries go to one SocketOrder, which
 * decides what the client sees and when; the OrderDriver runs what it decides through one bounded
 * outbox. Closes the socket when it idles or stops reading.
 */
export class SessionConnection {
  readonly sessionId: string;
  readonly closer: SocketCloser;
  /** Cleared by each heartbeat, set by the pong: still false at the next one means the peer is gone. */
  alive = true;
  private readonly outbox: SocketOutbox;
  private readonly inbound: ClientFrameHandler;
  private readonly order: SocketOrder;
  private readonly driver: OrderDriver;
  private readonly gate: SessionGate;
  /** When the client last sent a frame (performance.now()); ChatSockets' sweep closes idle sockets. */
  private lastFrameAt = clock();
  /** The session's deliveries and presence, on one NATS subscription. */
  private subscription?: Listening;
  private closed = false;
  /** When the socket's access token expires (epoch ms); null for anonymous and API-key sockets. */
  private readonly deadline: number | null;
  private expiry?: NodeJS.Timeout;
  /** After expiry: the longest a reply in progress may hold the close back. */
  private expiryGrace?: NodeJS.Timeout;

  constructor(
    private readonly deps: ConnectionDeps,
    readonly ws: WebSocket,
    private readonly handshake: Handshake,
    caller: SocketCaller | null,
    private readonly address: AddressSlot,
  ) {
    const { limits, metrics } = deps;
    const { protocol, sessionId, resumeFrom, wire } = handshake;
    this.sessionId = sessionId;
    this.closer = new SocketCloser(ws, metrics);
    const codec = codecFor(protocol, wire, { sessionId, newId: randomUUID });
    const onSlowReader = () => void this.closer.close('slow_reader', 1008, 'slow reader');
    this.outbox = new SocketOutbox(ws, { metrics, protocolLabel: codec.name, limits, onSlowReader });
    const buckets = { connection: new TokenBucket(limits.ratePerSecond, limits.burst, performance.now()), address: address.bucket };
    this.inbound = new ClientFrameHandler(deps, sessionId, protocol, buckets, codec, caller ?? null);
    this.deadline = caller?.expiresAtMs ?? null;
    const expires = this.deadline !== null;
    this.order = new SocketOrder({ sessionId, protocol, resumeFrom, newId: randomUUID, now: clock, expires });
    const onExpired = () => void this.closer.close('token_expired', UNAUTHORIZED_CLOSE, 'token expired');
    this.driver = new OrderDriver(deps, sessionId, codec, this.order, this.outbox, this.inbound, onExpired);
    const accountId = caller?.accountId ?? null;
    const ask = () => askSessionAccess(deps, sessionId, accountId);
    this.gate = new SessionGate(accountId, ask, (delivery) => void this.driver.run(this.order.deliver(delivery)), (verdict) => this.refuse(verdict));
  }

  /** Closes the socket when the client sent nothing for idleTimeoutMs (one sweep for all sockets, no timer each). */
  closeIfIdle(now: number): void {
    if (now - this.lastFrameAt >= this.deps.limits.idleTimeoutMs) void this.closer.close('idle', 1000, 'idle timeout');
  }

  /**
   * A session the client named is opened only if chat-log says this caller may. Subscribes before
   * the client learns its session id, so presence and delivery already work. Client frames that
   * come meanwhile wait in the order.
   */
  async open(): Promise<void> {
    const { bus, gatewayId, metrics } = this.deps;
    this.ws.on('message', (data, isBinary) => {
      this.lastFrameAt = clock();
      // The one per-message cost of an account's socket: a clock comparison (the token was verified at the upgrade).
      if (this.deadline !== null && Date.now() >= this.deadline) this.expire();
      void this.driver.run(this.order.arrive(this.inbound.judge(data, isBinary)));
    });
    // A session made here, now, is this socket's; one the client named is chat-log's to allow.
    if (this.handshake.resumeFrom !== null && !(await this.gate.admit())) return;
    if (this.closed) return;
    this.subscription = attendSession(bus, this.sessionId, gatewayId, (delivery) => this.gate.deliver(delivery));
    metrics.subscriptions.inc();
    this.armExpiry();
    // Bounded: with the broker away the socket still opens, and its messages then fail loudly.
    await settleWithin(this.deps.link.flush(), this.deps.requestTimeoutMs);
    if (this.closed) return;
    await this.driver.run(this.order.open());
  }

  /** After a reconnect: fetches committed frames lost while the broker link was down, if a reply is awaited. */
  async catchUp(): Promise<void> {
    await this.driver.run(this.order.reconnected());
  }

  private refuse(verdict: Exclude<AccessVerdict, 'allowed'>): void {
    if (verdict === 'refused') void this.closer.close('session_refused', SESSION_NOT_FOUND_CLOSE, 'session not found');
    else void this.closer.close('session_check_failed', TRY_AGAIN_LATER_CLOSE, 'try again later');
  }

  /** setTimeout holds at most 2^31-1 ms; a token living longer is looked at again then. */
  private armExpiry(): void {
    if (this.deadline === null || this.closed) return;
    const wait = Math.min(this.deadline - Date.now(), 2_147_483_647);
    this.expiry = setTimeout(() => (Date.now() >= this.deadline! ? this.expire() : this.armExpiry()), Math.max(wait, 0));
  }

  /** No new message is taken; the close follows the reply in progress, or REPLY_TIMEOUT_MS at the latest. */
  private expire(): void {
    if (this.expiryGrace || this.closed) return;
    clearTimeout(this.expiry);
    this.expiryGrace = setTimeout(() => void this.closer.close('token_expired', UNAUTHORIZED_CLOSE, 'token expired'), this.deps.replyTimeoutMs);
    void this.driver.run(this.order.expire());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.expiry);
    clearTimeout(this.expiryGrace);
    this.gate.close();
    this.outbox.dispose();
    this.order.close();
    this.driver.stop();
    this.address.release();
    if (!this.subscription) return;
    this.subscription.unsubscribe();
    this.deps.metrics.subscriptions.dec();
  }
}

async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([work.catch(() => undefined), limit]);
  clearTimeout(timer);
}
