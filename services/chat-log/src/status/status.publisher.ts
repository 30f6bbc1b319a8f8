import type { Bus } from '@chatbot/bus';
import type { Logger } from '@chatbot/runtime';
import type { Db } from '../store/database';
import type { AgentEvents } from './agent-events.publisher';
import { findUnpublishedChanges, markStatusPublished, statusMsgId, toStatusEvent, type StatusChange } from './status-outbox.repository';

const SWEEP_LIMIT = 500;

export interface StatusPublisher {
  /**
   * Publishes committed transitions (chat.status.changed.v1, and the agents' view of them) and
   * takes the ones the broker took out of the outbox. Never throws: what could not be published or marked stays in the outbox
   * for the sweep, and its second publish carries the same Msg-Id, which the broker drops.
   */
  publish(changes: readonly StatusChange[], correlationId?: string): Promise<void>;
}

export function createStatusPublisher(bus: Pick<Bus, 'publish'>, db: Db, agentEvents: AgentEvents, logger: Logger): StatusPublisher {
  return {
    async publish(changes, correlationId) {
      if (changes.length === 0) return;
      const outcomes = await Promise.allSettled(
        changes.map((change) => Promise.all([
          bus.publish('chatStatusChanged', change.sessionId, toStatusEvent(change), { msgId: statusMsgId(change), correlationId }),
          agentEvents.statusChanged([change]),
        ])),
      );
      const sent = changes.filter((_, i) => outcomes[i].status === 'fulfilled');
      const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failure) logger.warn({ err: failure.reason, unsent: changes.length - sent.length }, 'status publish failed; the sweep will retry');
      try {
        await markStatusPublished(db, sent);
      } catch (error) {
        logger.warn({ err: error, count: sent.length }, 'could not mark status changes published; the sweep will publish them again');
      }
    },
  };
}

/**
 * Publishes the transitions a process committed and never published (it died in between, or the
 * broker was away). Only changes older than `olderThanMs` are taken, so a live publish in
 * progress is left alone; at start-up it runs with 0 to send everything an earlier run left.
 */
export function createStatusSweep(deps: { db: Db; publisher: StatusPublisher; logger: Logger; olderThanMs: number }) {
  return async (): Promise<number> => {
    const changes = await findUnpublishedChanges(deps.db, deps.olderThanMs, SWEEP_LIMIT);
    if (changes.length === 0) return 0;
    deps.logger.info({ count: changes.length }, 'publishing status changes left unpublished');
    await deps.publisher.publish(changes);
    return changes.length;
  };
}
