import type { Bus } from '@chatbot/bus';
import type { Logger } from '@chatbot/runtime';
import type { PublishedMarker } from '../frames/published.marker';
import type { Db } from '../store/database';
import { findUnpublishedAgentEvents, type QueuedAgentEvent } from './agent-outbox.repository';
import type { StatusChange } from './status-outbox.repository';

const SWEEP_LIMIT = 500;

export interface AgentEvents {
  /** The agents' view of transitions; throws when the broker did not take them (the status outbox keeps the change). */
  statusChanged(changes: readonly StatusChange[]): Promise<void>;
  /**
   * Publishes events a committed transaction queued in the agent outbox, in order, and takes
   * those the broker took out of it (in the background, in bulk). Never throws: what was not
   * taken stays queued for the sweep.
   */
  send(events: readonly QueuedAgentEvent[]): Promise<void>;
  /** Resolves once every send started so far has settled. */
  settled(): Promise<void>;
}

/**
 * Publishes what agents see move (`agent.event.v1`, stream AGENT_EVENTS) after chat-log committed
 * it; the gateways replay the stream to the agents' sockets. Every event has a Msg-Id derived from
 * what it tells, so an event published again (a sweep, a redelivered inbound batch) is dropped
 * by the broker.
 */
export function createAgentEvents(bus: Pick<Bus, 'publish'>, marker: PublishedMarker<string>, logger: Logger): AgentEvents {
  const inFlight = new Set<Promise<void>>();
  const publish = (keyed: readonly QueuedAgentEvent[]) =>
    keyed.map(({ event, msgId }) => bus.publish('agentEvent', event.session_id, event, { msgId }));
  const send = async (events: readonly QueuedAgentEvent[]) => {
    // Published back to back (the stream keeps their order), awaited together.
    const outcomes = await Promise.allSettled(publish(events));
    marker.add(events.filter((_, i) => outcomes[i].status === 'fulfilled').map((e) => e.msgId));
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) logger.warn({ err: failure.reason, count: events.length }, 'could not publish agent events; the sweep will retry');
  };
  return {
    async statusChanged(changes) {
      await Promise.all(publish(changes.flatMap(statusEvents)));
    },
    send(events) {
      if (events.length === 0) return Promise.resolve();
      const sending = send(events).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      return sending;
    },
    async settled() {
      await Promise.all([...inFlight]);
    },
  };
}

function statusEvents(change: StatusChange): QueuedAgentEvent[] {
  const at = change.changedAt.toISOString();
  const base = { session_id: change.sessionId, at };
  const changed: QueuedAgentEvent = {
    event: { type: 'session_status_changed', ...base, from: change.from, to: change.to, version: change.version, ...(change.actorId ? { actor_id: change.actorId } : {}) },
    msgId: `${change.sessionId}:agent:status:${change.version}`,
  };
  if (change.to !== 'completed') return [changed];
  return [changed, { event: { type: 'session_completed', ...base, version: change.version }, msgId: `${change.sessionId}:agent:completed:${change.version}` }];
}

/**
 * Publishes the agent events a process committed and never published (it died in between, or
 * the broker was away). Only events older than `olderThanMs` are taken, so a live publish in
 * progress is left alone; at start-up it runs with 0. Returns how many it found.
 */
export function createAgentEventSweep(deps: { db: Db; agentEvents: AgentEvents; logger: Logger; olderThanMs: number }) {
  return async (): Promise<number> => {
    const events = await findUnpublishedAgentEvents(deps.db, deps.olderThanMs, SWEEP_LIMIT);
    if (events.length === 0) return 0;
    deps.logger.info({ count: events.length }, 'publishing agent events left unpublished');
    await deps.agentEvents.send(events);
    return events.length;
  };
}
