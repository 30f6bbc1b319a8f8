import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import type { Bus } from '@chatbot/bus';
import type { AddressSlot } from '../socket/address.ledger';
import { SocketCloser } from '../socket/socket.closer';
import { SocketOutbox, type OutboxLimits } from '../socket/socket.outbox';
import { TokenBucket } from '../limits/token.bucket';
import type { Handshake } from '../socket/ws.handshake';
import { codecFor } from '../socket/wire.codec';
import { ClientFrameHandler, type ClientFrameDeps } from './client-frame.handler';
import { OrderDriver, type OrderDriverDeps } from './order.driver';
import { servePresence } from './presence.responder';
import { SocketOrder } from './socket-order.machine';

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
  private readonly idle: NodeJS.Timeout;
  private subscription?: ReturnType<Bus['subscribe']>;
  private presence?: { stop(): Promise<void> };
  private closed = false;

  constructor(
    private readonly deps: ConnectionDeps,
    readonly ws: WebSocket,
    handshake: Handshake,
    private readonly address: AddressSlot,
  ) {
    const { limits, metrics } = deps;
    const { protocol, sessionId, resumeFrom, wire, caller } = handshake;
    this.sessionId = sessionId;
    this.closer = new SocketCloser(ws, metrics);
    const codec = codecFor(protocol, wire, { sessionId, newId: randomUUID });
    const onSlowReader = () => void this.closer.close('slow_reader', 1008, 'slow reader');
    this.outbox = new SocketOutbox(ws, { metrics, protocolLabel: codec.name, limits, onSlowReader });
    const buckets = { connection: new TokenBucket(limits.ratePerSecond, limits.burst, performance.now()), address: address.bucket };
    this.inbound = new ClientFrameHandler(deps, sessionId, protocol, buckets, codec, caller ?? null);
    this.order = new SocketOrder({ sessionId, protocol, resumeFrom, newId: randomUUID, now: () => performance.now() });
    this.driver = new OrderDriver(deps, sessionId, codec, this.order, this.outbox, this.inbound);
    this.idle = setTimeout(() => void this.closer.close('idle', 1000, 'idle timeout'), limits.idleTimeoutMs);
  }

  /** Subscribes before the client learns its session id, so presence and delivery already work. */
  async open(): Promise<void> {
    const { bus, gatewayId, metrics } = this.deps;
    this.subscription = bus.subscribe('sessionDelivery', this.sessionId, (delivery) => void this.driver.run(this.order.deliver(delivery)));
    this.presence = servePresence(bus, this.sessionId, gatewayId);
    metrics.subscriptions.inc(2);
    this.ws.on('message', (data, isBinary) => {
      this.idle.refresh();
      void this.driver.run(this.order.arrive(this.inbound.judge(data, isBinary)));
    });
    // Bounded: with the broker away the socket still opens, and its messages then fail loudly.
    await settleWithin(this.deps.link.flush(), this.deps.requestTimeoutMs);
    if (this.closed) return;
    await this.driver.run(this.order.open());
  }

  /** After a reconnect: fetches committed frames lost while the broker link was down, if a reply is awaited. */
  async catchUp(): Promise<void> {
    await this.driver.run(this.order.reconnected());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idle);
    this.outbox.dispose();
    this.order.close();
    this.driver.stop();
    this.address.release();
    if (!this.subscription) return;
    this.subscription.unsubscribe();
    this.presence?.stop().catch(() => undefined);
    this.deps.metrics.subscriptions.dec(2);
  }
}

async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([work.catch(() => undefined), limit]);
  clearTimeout(timer);
}
