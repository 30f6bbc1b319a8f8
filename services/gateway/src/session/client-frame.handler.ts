import { performance } from 'node:perf_hooks';
import type { RawData } from 'ws';
import type { Bus } from '@chatbot/bus';
import type { ChatInboundV1, ClientChatFrame, Role } from '@chatbot/proto';
import { inSpan, type Logger } from '@chatbot/runtime';
import type { BrokerLink } from '../broker.link';
import type { GatewayMetrics } from '../gateway.metrics';
import type { DecodedFrame, Protocol } from '../socket/frame.codec';
import type { SocketCaller } from '../auth/socket.caller';
import { admitFrame, type TokenBucket } from '../limits/token.bucket';
import type { WireCodec } from '../socket/wire.codec';
import type { Arrival } from './socket-order.machine';
import { maySetSystemPrompt } from './system-prompt.policy';

export interface ClientFrameDeps {
  bus: Bus;
  logger: Logger;
  metrics: GatewayMetrics;
  gatewayId: string;
  maxMessageChars: number;
  link: BrokerLink;
  /** How long a message may wait for the broker's ack before the user hears it was not taken. */
  publishTimeoutMs: number;
  /** Account roles whose messages may carry a system prompt (see system-prompt.policy.ts). */
  systemPromptRoles: readonly Role[];
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
    /** The socket's signed-in caller; null when anonymous. */
    private readonly caller: SocketCaller | null = null,
  ) {}

  /** Whose word this socket's frames are (the messages' `user_id`, the handoff's actor); null when anonymous. */
  get accountId(): string | null {
    return this.caller?.accountId ?? null;
  }

  /** Judged at once, so a frame that waits for the session frame has still spent its tokens. */
  judge(data: RawData, isBinary: boolean): Arrival {
    const { metrics, maxMessageChars } = this.deps;
    const decoded = isBinary ? undefined : this.allowed(this.codec.decode((data as Buffer).toString('utf8'), maxMessageChars));
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

  /** A message with a system prompt from a caller who may not set one is refused (E4013), not taken without it. */
  private allowed(decoded: DecodedFrame): DecodedFrame {
    if (!decoded.ok || 'handoff' in decoded || decoded.frame.system_prompt === undefined) return decoded;
    if (maySetSystemPrompt(this.caller, this.deps.systemPromptRoles)) return decoded;
    return { ok: false, code: 'E4013', error: 'system_prompt: not allowed for this caller', messageId: decoded.frame.message_id };
  }

  /**
   * Resolves with whether the broker dropped it as a duplicate, once it acked; bounded: with the
   * link down it fails at once, else after publishTimeoutMs.
   */
  publish(frame: ClientChatFrame, correlationId: string): Promise<boolean> {
    // The root of the message's trace: each step after it continues it over the bus.
    const attributes = { 'chat.session_id': this.sessionId, 'chat.message_id': frame.message_id };
    return inSpan('gateway accept', { role: 'server', attributes }, () => this.publishNow(frame, correlationId));
  }

  private async publishNow(frame: ClientChatFrame, correlationId: string): Promise<boolean> {
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
      ...(this.caller ? { user_id: this.caller.accountId } : {}),
      ...(frame.system_prompt === undefined ? {} : { system_prompt: frame.system_prompt }),
      // chat-log links only the sender's own complete uploads of this session (it needs user_id).
      ...(frame.attachment_ids ? { attachment_ids: frame.attachment_ids } : {}),
    };
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ subject: 'chat.inbound.v1', sessionId: this.sessionId, messageId, correlationId }, 'message received');
    }
    link.require();
    const msgId = `${this.sessionId}:${messageId}`;
    // The bus fails the publish after publishTimeoutMs: no timer of its own per message here.
    const ack = await bus.publish('chatInbound', this.sessionId, payload, { msgId, correlationId, timeoutMs: publishTimeoutMs });
    return ack?.duplicate === true;
  }

  /** Counted and logged; what the user is told is the socket order's to say. */
  failed(messageId: string, correlationId: string, error: unknown): void {
    const { metrics, logger } = this.deps;
    metrics.publishFailures.inc();
    logger.warn({ err: error, subject: 'chat.inbound.v1', sessionId: this.sessionId, messageId, correlationId }, 'message not accepted by the broker');
  }
}
