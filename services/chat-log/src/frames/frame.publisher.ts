import type { Bus, PublishOptions } from '@chatbot/bus';
import { inSpan, type Logger } from '@chatbot/runtime';
import type { ChatLogMetrics } from '../chat-log.metrics';
import { toFrame, type ReleasedReply } from './frame.mapper';
import type { PublishedMarker } from './published.marker';
import type { FrameKey } from './outbox.repository';
import type { AgentEvents } from '../status/agent-events.publisher';
import { frameEvent, toldToAgents } from '../status/agent-outbox.repository';

/** What a frame carries on from the candidate it releases: its correlation id and trace. */
export type FrameOrigin = Pick<PublishOptions, 'correlationId' | 'trace'>;

export interface FramePublisher {
  /**
   * Publishes released replies (sorted by session, then seq) and hands what was sent to the
   * marker, which records it published in the background. Never throws: what could not be
   * published or marked is published again by the outbox, and the gateway drops a seq it
   * already delivered. `origins` are by reply_id. Frames released just now (`live`) are told to
   * the agents too (their events were queued with them), without holding up the next frame.
   */
  publish(replies: ReleasedReply[], path: 'live' | 'outbox' | 'resend', origins?: ReadonlyMap<string, FrameOrigin>): Promise<void>;
}

export function createFramePublisher(
  bus: Bus, marker: PublishedMarker<FrameKey>, agentEvents: Pick<AgentEvents, 'send'>, metrics: ChatLogMetrics, logger: Logger,
): FramePublisher {
  return {
    async publish(replies, path, origins = new Map()) {
      if (replies.length === 0) return;
      const told = path === 'live' ? replies.filter((r) => toldToAgents(r.sender)) : [];
      if (told.length > 0) void agentEvents.send(told.map(frameEvent));
      // Published back to back, awaited together: awaiting each would send each in a turn of its own.
      const outcomes = await Promise.allSettled(replies.map((reply) => release(bus, reply, path, origins.get(reply.replyId))));
      const sent = replies.filter((_, i) => outcomes[i].status === 'fulfilled');
      metrics.framesPublished.inc({ path }, sent.length);
      const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failure) {
        logger.warn({ err: failure.reason, unsent: replies.length - sent.length }, 'frame publish failed; the outbox will retry');
      }
      // Guarded: the bindings object of every frame would be built even with debug off.
      if (logger.isLevelEnabled('debug')) {
        for (const reply of replies) {
          logger.debug({ sessionId: reply.sessionId, messageId: reply.frameMessageId, seq: reply.seq, path }, 'frame published');
        }
      }
      marker.add(sent.map(({ sessionId, seq }) => ({ sessionId, seq })));
    },
  };
}

/** Publishes one released frame; in a span of the candidate's trace when it has one. */
function release(bus: Bus, reply: ReleasedReply, path: string, origin: FrameOrigin | undefined) {
  const send = () => bus.publish('sessionDelivery', reply.sessionId, { type: 'frame', frame: toFrame(reply) }, { correlationId: origin?.correlationId });
  if (origin?.trace === undefined) return send();
  const attributes = { 'chat.session_id': reply.sessionId, 'chat.seq': reply.seq, 'chat.release_path': path };
  return inSpan('chat-log release', { parent: origin.trace, attributes }, send);
}
