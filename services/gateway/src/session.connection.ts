import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import type { Bus } from '@chatbot/bus';
import type { AddressSlot } from './address.ledger';
import { ClientFrameHandler, type ClientFrameDeps } from './client-frame.handler';
import { encodeSessionV1, encodeV2 } from './frame.codec';
import { servePresence } from './presence.responder';
import { PendingReplies } from './reply.timeout';
import { DeliveryRelay, type DeliveryRelayDeps } from './session-delivery.relay';
import { SocketCloser } from './socket.closer';
import { SocketOutbox, type OutboxLimits } from './socket.outbox';
import { TokenBucket } from './token.bucket';
import type { Handshake } from './ws.handshake';

export interface ConnectionLimits extends OutboxLimits {
  /** Client frames a second this socket may send, and its burst. */
  ratePerSecond: number;
  burst: number;
  idleTimeoutMs: number;
}

export interface ConnectionDeps extends ClientFrameDeps, DeliveryRelayDeps {
  replyTimeoutMs: number;
  limits: ConnectionLimits;
}

/**
 * One socket = one session: wires its frames in (ClientFrameHandler), its deliveries out
 * (DeliveryRelay), both through one bounded outbox, and closes it when it idles or stops reading.
 */
export class SessionConnection {
  readonly sessionId: string;
  readonly closer: SocketCloser;
  /** Cleared by each heartbeat, set by the pong: still false at the next one means the peer is gone. */
  alive = true;
  private readonly handshake: Handshake;
  private readonly pending: PendingReplies;
  private readonly outbox: SocketOutbox;
  private readonly inbound: ClientFrameHandler;
  private readonly relay: DeliveryRelay;
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
    this.handshake = handshake;
    this.sessionId = handshake.sessionId;
    this.closer = new SocketCloser(ws, metrics);
    this.pending = new PendingReplies(deps.replyTimeoutMs, (prompt) => this.relay.timedOut(prompt));
    const onSlowReader = () => void this.closer.close('slow_reader', 1008, 'slow reader');
    this.outbox = new SocketOutbox(ws, { metrics, protocol: handshake.protocol, limits, onSlowReader }, handshake.resumeFrom ?? 0);
    const buckets = { connection: new TokenBucket(limits.ratePerSecond, limits.burst, performance.now()), address: address.bucket };
    const recheck = (messageId: string, correlationId: string) => this.relay.recheck(messageId, correlationId);
    this.inbound = new ClientFrameHandler(deps, this.sessionId, handshake.protocol, this.pending, this.outbox, buckets, recheck);
    this.relay = new DeliveryRelay(deps, this.sessionId, handshake.protocol, this.pending, this.outbox);
    this.pending.release = (delivery) => this.relay.deliver(delivery);
    this.idle = setTimeout(() => void this.closer.close('idle', 1000, 'idle timeout'), limits.idleTimeoutMs);
  }

  /** Subscribes before the client learns its session id, so presence and delivery already work. */
  async open(): Promise<void> {
    const { bus, gatewayId, metrics } = this.deps;
    this.subscription = bus.subscribe('sessionDelivery', this.sessionId, (delivery) => this.relay.deliver(delivery));
    this.presence = servePresence(bus, this.sessionId, gatewayId);
    metrics.subscriptions.inc(2);
    this.ws.on('message', (data, isBinary) => {
      this.idle.refresh();
      this.inbound.receive(data, isBinary);
    });
    // Bounded: with the broker away the socket still opens, and its messages then fail loudly.
    await settleWithin(bus.flush(), this.deps.requestTimeoutMs);
    if (this.closed) return;
    this.outbox.send('session', this.sessionFrame());
    this.inbound.release();
    const { resumeFrom } = this.handshake;
    if (resumeFrom !== null) await this.relay.replay(resumeFrom);
    this.relay.release();
  }

  /** Fetches committed frames lost while the broker link was down, if a reply is awaited. */
  async catchUp(): Promise<void> {
    if (this.closed || this.pending.size === 0) return;
    await this.relay.catchUp();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idle);
    this.outbox.dispose();
    this.pending.clear();
    this.address.release();
    if (!this.subscription) return;
    this.subscription.unsubscribe();
    this.presence?.stop().catch(() => undefined);
    this.deps.metrics.subscriptions.dec(2);
  }

  private sessionFrame(): string {
    const { protocol, resumeFrom } = this.handshake;
    if (protocol === 1) return encodeSessionV1(this.sessionId);
    return encodeV2.session(this.sessionId, resumeFrom !== null, this.outbox.seq);
  }
}

async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([work.catch(() => undefined), limit]);
  clearTimeout(timer);
}
