import type { Bus } from '@chatbot/bus';
import type { AgentEventV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { Db } from '../store/database';
import type { StatusChange } from './status-outbox.repository';

/** A message agents should read: a user's message handed to them, or an agent's own. */
export interface AgentMessage {
  sessionId: string;
  messageId: string;
  sender: 'user' | 'agent';
  text: string;
}

/** An agent event and the broker's de-duplication id that makes publishing it again harmless. */
interface Keyed {
  event: AgentEventV1;
  msgId: string;
}

export interface AgentEvents {
  /** The agents' view of transitions; throws when the broker did not take them (the status outbox keeps the change). */
  statusChanged(changes: readonly StatusChange[]): Promise<void>;
  /** New messages and the unread counts they leave, read after the commit. Never throws. */
  messages(messages: readonly AgentMessage[]): Promise<void>;
}

/**
 * Publishes what agents see move (`agent.event.v1`, stream AGENT_EVENTS) after chat-log committed
 * it; the gateways replay the stream to the agents' sockets. Every event has a Msg-Id derived from
 * what it tells, so an event published again (the status sweep, a redelivered inbound batch) is
 * dropped by the broker.
 */
export function createAgentEvents(bus: Pick<Bus, 'publish'>, db: Db, logger: Logger): AgentEvents {
  const send = (keyed: Keyed[]) =>
    Promise.all(keyed.map(({ event, msgId }) => bus.publish('agentEvent', event.session_id, event, { msgId })));
  return {
    async statusChanged(changes) {
      await send(changes.flatMap(statusEvents));
    },
    async messages(messages) {
      if (messages.length === 0) return;
      try {
        const at = new Date().toISOString();
        const news = messages.map((m): Keyed => ({
          event: { type: 'new_message', session_id: m.sessionId, at, message_id: m.messageId, sender: m.sender, message: m.text },
          msgId: `${m.sessionId}:agent:message:${m.messageId}`,
        }));
        await send(news);
        const counts = await unreadCounts(db, [...new Set(messages.map((m) => m.sessionId))]);
        const lastOf = new Map(messages.map((m) => [m.sessionId, m.messageId]));
        await send([...counts].map(([sessionId, unread]) => ({
          event: { type: 'unread_count_updated', session_id: sessionId, at, unread_count: unread },
          msgId: `${sessionId}:agent:unread:${lastOf.get(sessionId)}`,
        })));
      } catch (error) {
        logger.warn({ err: error, count: messages.length }, 'could not publish agent message events');
      }
    },
  };
}

function statusEvents(change: StatusChange): Keyed[] {
  const at = change.changedAt.toISOString();
  const base = { session_id: change.sessionId, at };
  const changed: Keyed = {
    event: { type: 'session_status_changed', ...base, from: change.from, to: change.to, version: change.version, ...(change.actorId ? { actor_id: change.actorId } : {}) },
    msgId: `${change.sessionId}:agent:status:${change.version}`,
  };
  if (change.to !== 'completed') return [changed];
  return [changed, { event: { type: 'session_completed', ...base, version: change.version }, msgId: `${change.sessionId}:agent:completed:${change.version}` }];
}

/** The user's messages handed to an agent with no agent message after them, per session. */
async function unreadCounts(db: Db, sessionIds: string[]): Promise<Map<string, number>> {
  const rows = await db.sql.query<Array<{ id: string; unread: number }>>`
    SELECT s.id::text, (SELECT count(*)::int FROM chat_log.replies h
      WHERE h.session_id = s.id AND h.kind = 'handed' AND h.turn > s.agent_answered_turn) AS unread
    FROM chat_log.sessions s WHERE s.id = ANY(${sessionIds}::uuid[])`;
  return new Map(rows.map((r) => [r.id, r.unread]));
}
