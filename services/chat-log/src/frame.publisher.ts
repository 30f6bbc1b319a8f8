import type { Bus } from '@chatbot/bus';
import type { Logger } from '@chatbot/runtime';
import type { ChatLogMetrics } from './chat-log.metrics';
import type { Db } from './database';
import { bySessionThenSeq, toFrame, type ReleasedReply } from './frame.mapper';
import { findUnpublishedOf } from './outbox.repository';
import type { PublishedMarker } from './published.marker';

type Path = 'live' | 'outbox' | 'resend';

export interface FramePublisher {
  /**
   * Publishes released replies (sorted by session, then seq) and hands what was sent to the
   * marker, which records it published in the background. A suspect session's unpublished
   * earlier frames are published first, so a session's frames leave in seq order. Never throws:
   * what could not be published or marked is published again by the outbox, and the gateway
   * drops a seq it already delivered. Call it from the serial queue.
   */
  publish(replies: ReleasedReply[], path: Path, correlations?: ReadonlyMap<string, string>): Promise<void>;
  /**
   * These sessions may have released frames this process did not publish (a commit whose
   * outcome was lost, a failed publish): their next publish first sends them from the database.
   */
  suspect(sessionIds: Iterable<string>): void;
}

interface Deps {
  bus: Bus;
  db: Db;
  marker: PublishedMarker;
  metrics: ChatLogMetrics;
  logger: Logger;
}

/**
 * Without suspects the hot path costs no query: in one process every release is published by
 * the commit that made it, in order (serial queue), and what an earlier process left behind is
 * drained before the consumers start. Only a failure here makes a session suspect.
 */
export function createFramePublisher(deps: Deps): FramePublisher {
  const suspects = new Set<string>();
  return {
    async publish(replies, path, correlations = new Map()) {
      if (replies.length === 0) return;
      const ordered = await withEarlierFrames(deps, suspects, replies);
      const failed = await send(deps, ordered, path, correlations);
      for (const sessionId of failed) suspects.add(sessionId);
    },
    suspect(sessionIds) {
      for (const sessionId of sessionIds) suspects.add(sessionId);
    },
  };
}

/**
 * The replies plus the unpublished frames of their suspect sessions, by session then seq. When
 * those cannot be read, the suspect sessions' replies are withheld rather than sent ahead of
 * older frames: they stay unpublished in the database, so the outbox (or the session's next
 * publish) sends them all, in order.
 */
async function withEarlierFrames(deps: Deps, suspects: Set<string>, replies: ReleasedReply[]): Promise<ReleasedReply[]> {
  const sessions = [...new Set(replies.map((r) => r.sessionId))].filter((s) => suspects.has(s));
  if (sessions.length === 0) return replies;
  try {
    const earlier = await findUnpublishedOf(deps.db, sessions);
    for (const sessionId of sessions) suspects.delete(sessionId);
    const known = new Set(replies.map((r) => r.id));
    return [...replies, ...earlier.filter((r) => !known.has(r.id))].sort(bySessionThenSeq);
  } catch (error) {
    deps.metrics.dbErrors.inc({ operation: 'find-unpublished' });
    deps.logger.warn({ err: error, sessions: sessions.length }, 'could not read earlier unpublished frames; the outbox will publish them in order');
    return replies.filter((r) => !suspects.has(r.sessionId));
  }
}

/** Publishes back to back; returns the sessions of the frames that could not be sent. */
async function send(deps: Deps, replies: ReleasedReply[], path: Path, correlations: ReadonlyMap<string, string>): Promise<Set<string>> {
  const { bus, marker, metrics, logger } = deps;
  // Awaited together: awaiting each one flushes the socket per frame.
  const outcomes = await Promise.allSettled(
    replies.map((reply) =>
      bus.publish('sessionDelivery', reply.sessionId, { type: 'frame', frame: toFrame(reply) }, {
        correlationId: correlations.get(reply.replyId),
      }),
    ),
  );
  const sent = replies.filter((_, i) => outcomes[i].status === 'fulfilled');
  const failed = new Set(replies.filter((_, i) => outcomes[i].status === 'rejected').map((r) => r.sessionId));
  metrics.framesPublished.inc({ path }, sent.length);
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) {
    logger.warn({ err: failure.reason, unsent: replies.length - sent.length }, 'frame publish failed; the outbox will retry');
  }
  for (const reply of replies) {
    logger.debug({ sessionId: reply.sessionId, messageId: reply.frameMessageId, seq: reply.seq, path }, 'frame published');
  }
  marker.add(sent.map((reply) => reply.id));
  return failed;
}
