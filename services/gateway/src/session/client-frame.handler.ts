import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RawData } from 'ws';
import type { Bus } from '@chatbot/bus';
import { errorCatalogue, type ChatInboundV1, type ClientChatFrame } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import { within, type BrokerLink } from '../broker.link';
import { decodeClientFrame, encodeUnavailable, encodeV2, rateLimitedText, type DecodedFrame, type Protocol } from '../socket/frame.codec';
import type { GatewayMetrics } from '../gateway.metrics';
import type { PendingPrompt, PendingReplies } from './reply.timeout';
import type { SocketOutbox } from '../socket/socket.outbox';
import { admitFrame, type TokenBucket } from '../socket/token.bucket';

export interface ClientFrameDeps {
  bus: Bus;
  logger: Logger;
  metrics: GatewayMetrics;
  gatewayId: string;
  maxMessageChars: number;
  link: BrokerLink;
  /** How long a message may wait for the broker's ack before the user hears it was not taken. */
  publishTimeoutMs: number;
  /** Work that must finish before shutdown (broker publishes). */
  track(work: Promise<unknown>): void;
}

/** Asks chat-log about a resend the broker dropped as a duplicate (see DeliveryRelay.recheck). */
export type DuplicateCheck = (messageId: string, correlationId: string) => void;

export interface FrameBuckets {
  connection: TokenBucket;
  address: TokenBucket;
}

/** One client frame as judged on arrival; acted on once the session frame went out. */
type Arrival =
  | { kind: 'limited'; retryAfterMs: number; messageId?: string }
  | { kind: 'binary' }
  | { kind: 'decoded'; decoded: DecodedFrame };

/** Refused frames held for an E4004 notice while the session opens. */
const HELD_REFUSALS = 16;

/** Client → broker for one socket: rate limits, validation, the publish and its ack. */
export class ClientFrameHandler {
  /** Held until the session frame went out: the seed client expects it first. */
  private held: Arrival[] | null = [];
  private heldRefusals = 0;

  constructor(
    private readonly deps: ClientFrameDeps,
    private readonly sessionId: string,
    private readonly protocol: Protocol,
    private readonly pending: PendingReplies,
    private readonly outbox: SocketOutbox,
    private readonly buckets: FrameBuckets,
    private readonly recheck: DuplicateCheck,
  ) {}

  /**
   * Judged at once, so frames held before the session frame still spend their tokens. Refused
   * frames beyond the first few held get no notice: their count is not bounded by the buckets.
   */
  receive(data: RawData, isBinary: boolean): void {
    const arrival = this.judge(data, isBinary);
    if (!this.held) return this.act(arrival);
    if (arrival.kind === 'limited' && ++this.heldRefusals > HELD_REFUSALS) return;
    this.held.push(arrival);
  }

  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const arrival of held) this.act(arrival);
  }

  private judge(data: RawData, isBinary: boolean): Arrival {
    const { metrics, maxMessageChars } = this.deps;
    const decoded = isBinary ? undefined : decodeClientFrame((data as Buffer).toString('utf8'), maxMessageChars);
    metrics.frameIn(decoded === undefined ? 'binary' : decoded.ok ? 'message' : 'invalid');
    const verdict = admitFrame(this.buckets.connection, this.buckets.address, performance.now());
    if (!verdict.ok) {
      metrics.reject(verdict.scope === 'connection' ? 'rate_connection' : 'rate_address');
      const messageId = decoded === undefined ? undefined : decoded.ok ? decoded.frame.message_id : decoded.messageId;
      return { kind: 'limited', retryAfterMs: verdict.retryAfterMs, messageId };
    }
    if (decoded === undefined) {
      metrics.reject('binary');
      return { kind: 'binary' };
    }
    if (!decoded.ok) metrics.reject('invalid');
    return { kind: 'decoded', decoded };
  }

  private act(arrival: Arrival): void {
    if (arrival.kind === 'limited') {
      const { retryAfterMs, messageId } = arrival;
      return this.outbox.error('E4004', rateLimitedText(retryAfterMs), messageId, retryAfterMs);
    }
    if (arrival.kind === 'binary') return this.outbox.error('E4009', 'Binary frames are not supported; send JSON text');
    const { decoded } = arrival;
    if (!decoded.ok) return this.outbox.error(decoded.code, decoded.error, decoded.messageId);
    this.publish(decoded.frame);
  }

  private publish(frame: ClientChatFrame): void {
    const { logger, gatewayId } = this.deps;
    const messageId = frame.message_id;
    // A resend gets what the first one got; for a refused id that is the refusal again.
    if (this.pending.refused(messageId)) return this.outbox.error('E4008', errorCatalogue.E4008.text, messageId);
    const correlationId = randomUUID();
    const prompt = this.pending.begin(messageId, correlationId);
    const payload: ChatInboundV1 = {
      session_id: this.sessionId,
      message_id: messageId,
      text: frame.message,
      client_timestamp: frame.timestamp,
      received_at: new Date().toISOString(),
      gateway_id: gatewayId,
      protocol: this.protocol,
    };
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ subject: 'chat.inbound.v1', sessionId: this.sessionId, messageId, correlationId }, 'message received');
    }
    const work = this.acked(payload, correlationId).then(
      (ack) => this.onAccepted(messageId, correlationId, prompt, ack?.duplicate === true),
      (error: unknown) => this.onPublishFailed(messageId, correlationId, prompt, error),
    );
    this.deps.track(work);
  }

  /** The broker's ack, bounded: with the link down it fails at once, else after publishTimeoutMs. */
  private async acked(payload: ChatInboundV1, correlationId: string) {
    const { bus, link, publishTimeoutMs } = this.deps;
    link.require();
    const msgId = `${this.sessionId}:${payload.message_id}`;
    return within(bus.publish('chatInbound', this.sessionId, payload, { msgId, correlationId }), publishTimeoutMs, 'chat.inbound.v1');
  }

  private onAccepted(messageId: string, correlationId: string, prompt: PendingPrompt | undefined, duplicate: boolean): void {
    if (this.protocol === 2) this.outbox.send('accepted', encodeV2.accepted(messageId, this.outbox.seq));
    if (prompt) this.pending.accepted(prompt, performance.now());
    // Sent before (another socket, before a resume): no new frame comes unless chat-log says so.
    if (prompt && duplicate) this.recheck(messageId, correlationId);
  }

  /** Never silence: the user learns at once that this message was not taken. */
  private onPublishFailed(messageId: string, correlationId: string, prompt: PendingPrompt | undefined, error: unknown): void {
    const { metrics, logger } = this.deps;
    metrics.publishFailures.inc();
    logger.warn({ err: error, subject: 'chat.inbound.v1', sessionId: this.sessionId, messageId, correlationId }, 'message not accepted by the broker');
    // v2: the error says "not taken, resend"; a reply, should the publish land after all, is welcome.
    if (this.protocol === 2) {
      if (prompt) this.pending.cancel(prompt);
      return this.outbox.error('E5006', errorCatalogue.E5006.text, messageId);
    }
    // v1: the unavailable frame is this message's one bot frame. A resend of a message still
    // pending gets its frame from the first attempt.
    if (!prompt) return;
    this.pending.unavailable(prompt);
    this.outbox.send('reply', encodeUnavailable(1, messageId, this.outbox.seq));
  }
}
