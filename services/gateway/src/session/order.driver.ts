import type { Bus } from '@chatbot/bus';
import { isAppError, type Logger } from '@chatbot/runtime';
import type { BrokerLink } from '../broker.link';
import type { GatewayMetrics } from '../gateway.metrics';
import type { ServerFrame } from '../socket/frame.codec';
import type { SocketOutbox } from '../socket/socket.outbox';
import type { WireCodec } from '../socket/wire.codec';
import type { ClientFrameHandler } from './client-frame.handler';
import { publishTimeoutFailure, ReplyTimers } from './reply.timeout';
import { fetchMissedFrames, fetchPromptStatus } from './session.resume';
import type { Effect, SocketOrder } from './socket-order.machine';

export interface OrderDriverDeps {
  bus: Bus;
  logger: Logger;
  metrics: GatewayMetrics;
  link: BrokerLink;
  requestTimeoutMs: number;
  replyTimeoutMs: number;
  /** Work that must finish before shutdown (broker publishes, chat-log lookups). */
  track(work: Promise<unknown>): void;
}

const NOTHING_STARTED: Promise<unknown> = Promise.resolve();

/**
 * The I/O around one socket's order: runs its effects (frames to the outbox, publishes, chat-log
 * lookups, reply timers, metrics) and feeds what comes back to it as events.
 */
export class OrderDriver {
  private readonly timers: ReplyTimers;

  constructor(
    private readonly deps: OrderDriverDeps,
    private readonly sessionId: string,
    private readonly codec: WireCodec,
    private readonly order: SocketOrder,
    private readonly outbox: SocketOutbox,
    private readonly inbound: ClientFrameHandler,
    /** The order says the expired socket may close now (no reply in progress). */
    private readonly onExpired: () => void,
  ) {
    this.timers = new ReplyTimers(deps.replyTimeoutMs, (messageId) => void this.track(this.timedOut(messageId)));
  }

  /**
   * Runs the effects in order. Settles once the work they started (and what it led to) is done;
   * never rejects: that work is tracked, and a failed lookup or publish is an event of its own.
   */
  run(effects: Effect[]): Promise<unknown> {
    const started: Promise<unknown>[] = [];
    for (const effect of effects) {
      const work = this.start(effect);
      if (work) started.push(work);
    }
    return started.length === 0 ? NOTHING_STARTED : Promise.allSettled(started);
  }

  stop(): void {
    this.timers.clear();
  }

  private start(effect: Effect): Promise<unknown> | undefined {
    const { metrics } = this.deps;
    switch (effect.kind) {
      case 'send':
        return void this.send(effect.frame);
      case 'publish':
        return this.track(this.publish(effect.frame.message_id, effect.correlationId, this.inbound.publish(effect.frame, effect.correlationId)));
      case 'fetchFrames':
        return this.track(fetchMissedFrames(this.deps, this.sessionId, effect.afterSeq).then((missed) => this.run(this.order.fetched(effect.purpose, missed))));
      case 'fetchPrompt': {
        const { messageId, correlationId } = effect;
        return this.track(fetchPromptStatus(this.deps, this.sessionId, messageId, correlationId).then((status) => this.run(this.order.promptStatus(messageId, status))));
      }
      case 'startTimer':
        return void this.timers.start(effect.messageId);
      case 'stopTimer':
        return void this.timers.stop(effect.messageId);
      case 'publishFailure':
        return this.track(publishTimeoutFailure(this.deps, this.sessionId, effect.messageId, effect.correlationId));
      case 'handoff':
        return this.track(this.handoff(effect.correlationId));
      case 'drop':
        return void metrics.drop(effect.reason);
      case 'count':
        return void metrics[effect.metric].inc();
      case 'observe':
        return void metrics[effect.metric].observe(effect.seconds);
      case 'expired':
        return void this.onExpired();
    }
  }

  /** In the socket's wire format: a frame may become several, or none. */
  private send(frame: ServerFrame): void {
    if (frame.type === 'error') this.deps.metrics.errorFrame(frame.code);
    // A flood of tiny frames would otherwise be answered by as many larger E4004 frames: those are
    // dropped like deltas while the client is not reading them.
    const limited = frame.type === 'error' ? frame.code === 'E4004' : undefined;
    for (const { type, text, droppable } of this.codec.encode(frame)) this.outbox.send(type, text, limited ?? droppable);
  }

  private publish(messageId: string, correlationId: string, acked: Promise<boolean>): Promise<unknown> {
    return acked.then(
      (duplicate) => this.run(this.order.accepted(correlationId, duplicate)),
      (error: unknown) => {
        this.inbound.failed(messageId, correlationId, error);
        return this.run(this.order.publishFailed(correlationId));
      },
    );
  }

  /** The user asked for a person on the socket; the status frame comes back as a durable frame. */
  private async handoff(correlationId: string): Promise<unknown> {
    const { bus, link, requestTimeoutMs, logger } = this.deps;
    try {
      link.require();
      // The socket's caller asks: chat-log allows the owner, or anyone anonymous on an anonymous session.
      const actorId = this.inbound.accountId;
      const result = await bus.request('handoff', { session_id: this.sessionId, action: 'handoff', actor_id: actorId }, { timeoutMs: requestTimeoutMs, correlationId });
      if (result.outcome === 'changed' || result.outcome === 'unchanged') return undefined;
      return this.run(this.order.handoffRefused(result.outcome === 'not_found' ? 'E4005' : 'E4030'));
    } catch (error) {
      logger.warn({ err: error, sessionId: this.sessionId, correlationId }, 'handoff request failed');
      return this.run(this.order.handoffRefused(isAppError(error) && error.code === 'E5003' ? 'E5003' : 'E5006'));
    }
  }

  /** Before the user is told the answer is late, chat-log says whether it answered or handed it (undefined: it could not say). */
  private async timedOut(messageId: string): Promise<unknown> {
    const status = await fetchPromptStatus(this.deps, this.sessionId, messageId, `timeout:${this.sessionId}:${messageId}`);
    return this.run(this.order.timedOut(messageId, status));
  }

  private track(work: Promise<unknown>): Promise<unknown> {
    this.deps.track(work);
    return work;
  }
}
