import { performance } from 'node:perf_hooks';
import type { RawData } from 'ws';
import type { Bus } from '@chatbot/bus';
import type { ChatInboundV1, ClientChatFrame } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import { within, type BrokerLink } from '../broker.link';
import type { GatewayMetrics } from '../gateway.metrics';
import type { Protocol } from '../socket/frame.codec';
import { admitFrame, type TokenBucket } from '../socket/token.bucket';
import type { WireCodec } from '../socket/wire.codec';
import type { Arrival } from './socket-order.machine';

export interface ClientFrameDeps {
  bus: Bus;
  logger: Logger;
  metrics: GatewayMetrics;
  gatewayId: string;
  maxMessageChars: number;
  link: BrokerLink;
  /** How long a message may wait for the broker's ack before the user hears it was not taken. */
  publishTimeoutMs: number;
}

export interface FrameBuckets {
  connection: TokenBucket;
  address: TokenBucket;
}

/** Client → broker for one socket: rate limits and validation on arrival, the publish and its ack. */
export class ClientFrameHandler {
  constructor(
    private readonly deps: ClientFrameDeps,
    private readonly sessionId: string,
    private readonly protocol: Protocol,
    private readonly buckets: FrameBuckets,
    private readonly codec: WireCodec,
    /** The signed-in sender, on every message of an account's socket; undefined when anonymous. */
    private readonly userId?: string,
  ) {}

  /** Judged at once, so a frame that waits for the session frame has still spent its tokens. */
  judge(data: RawData, isBinary: boolean): Arrival {
    const { metrics, maxMessageChars } = this.deps;
    const decoded = isBinary ? undefined : this.codec.decode((data as Buffer).toString('utf8'), maxMessageChars);
    metrics.frameIn(decoded === undefined ? 'binary' : decoded.ok ? 'message' : 'invalid');
    const verdict = admitFrame(this.buckets.connection, this.buckets.address, performance.now());
    if (!verdict.ok) {
      metrics.reject(verdict.scope === 'connection' ? 'rate_connection' : 'rate_address');
      const messageId = decoded === undefined ? undefined : 'frame' in decoded ? decoded.frame.message_id : decoded.ok ? undefined : decoded.messageId;
      return { kind: 'limited', retryAfterMs: verdict.retryAfterMs, messageId };
    }
    if (decoded === undefined) {
      metrics.reject('binary');
      return { kind: 'binary' };
    }
    if (!decoded.ok) metrics.reject('invalid');
    return { kind: 'decoded', decoded };
  }

  /**
   * Resolves with whether the broker dropped it as a duplicate, once it acked; bounded: with the
   * link down it fails at once, else after publishTimeoutMs.
   */
  async publish(frame: ClientChatFrame, correlationId: string): Promise<boolean> {
    const { bus, link, logger, gatewayId, publishTimeoutMs } = this.deps;
    const messageId = frame.message_id;
    const payload: ChatInboundV1 = {
      session_id: this.sessionId,
      message_id: messageId,
      text: frame.message,
      client_timestamp: frame.timestamp,
      received_at: new Date().toISOString(),
      gateway_id: gatewayId,
      protocol: this.protocol,
      ...(this.userId ? { user_id: this.userId } : {}),
    };
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ subject: 'chat.inbound.v1', sessionId: this.sessionId, messageId, correlationId }, 'message received');
    }
    link.require();
    const msgId = `${this.sessionId}:${messageId}`;
    const ack = await within(bus.publish('chatInbound', this.sessionId, payload, { msgId, correlationId }), publishTimeoutMs, 'chat.inbound.v1');
    return ack?.duplicate === true;
  }

  /** Counted and logged; what the user is told is the socket order's to say. */
  failed(messageId: string, correlationId: string, error: unknown): void {
    const { metrics, logger } = this.deps;
    metrics.publishFailures.inc();
    logger.warn({ err: error, subject: 'chat.inbound.v1', sessionId: this.sessionId, messageId, correlationId }, 'message not accepted by the broker');
  }
}
