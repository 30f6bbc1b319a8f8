import type { Bus } from '@chatbot/bus';
import { AppError, isAppError, type Logger } from '@chatbot/runtime';
import type { Db } from '../store/database';
import type { FramePublisher } from '../frames/frame.publisher';
import type { Serial } from '../frames/serial';
import type { ReleasedReply } from '../frames/frame.mapper';
import { applyTransition, sendAgentMessage } from './handoff.repository';
import { listConversations } from './conversation-list.repository';
import { agentHistoryPage } from '../conversations/history-page.repository';
import type { StatusPublisher } from '../status/status.publisher';
import type { AgentEvents } from '../status/agent-events.publisher';
import type { QueuedAgentEvent } from '../status/agent-outbox.repository';

export interface HandoffDeps {
  db: Db;
  logger: Logger;
  publisher: FramePublisher;
  serial: Serial;
  statusPublisher: StatusPublisher;
  agentEvents: AgentEvents;
}

/**
 * The handoff endpoints: status changes, agents' messages, the agents' lists and a conversation's history. A change and its
 * frames run in the process's serial order (as reply commits do), so frames leave in seq order.
 */
export function serveHandoff(bus: Bus, deps: HandoffDeps): void {
  const { db, logger } = deps;
  const released = (frames: ReleasedReply[], correlationId: string) =>
    frames.length === 0 ? Promise.resolve() : deps.publisher.publish(frames, 'live', new Map(frames.map((f) => [f.replyId, { correlationId }])));
  // The unread count an agent's words leave (0), after the words (the frame publisher tells those).
  const unreadAfter = (result: { outcome: string; unread?: QueuedAgentEvent[] }) => deps.agentEvents.send(result.unread ?? []);

  bus.serve('handoff', (command, { correlationId }) =>
    storage(logger, correlationId, () =>
      deps.serial(async () => {
        const result = await applyTransition(db, command);
        await released(result.released, correlationId);
        if (result.outcome === 'changed') await deps.statusPublisher.publish([result.change], correlationId);
        await unreadAfter(result);
        const context = { sessionId: command.session_id, action: command.action, outcome: result.outcome, correlationId };
        logger.info(result.outcome === 'conflict' ? { ...context, reason: result.reason } : context, 'handoff command');
        if (result.outcome === 'not_found') return { outcome: 'not_found' as const };
        if (result.outcome === 'conflict') return { outcome: 'conflict' as const, reason: result.reason, state: result.state };
        return { outcome: result.outcome, state: result.state };
      }),
    ),
  );

  bus.serve('agentMessage', (command, { correlationId }) =>
    storage(logger, correlationId, () =>
      deps.serial(async () => {
        const result = await sendAgentMessage(db, command.session_id, command.agent_id, command.message);
        await released(result.released, correlationId);
        await unreadAfter(result);
        if (result.outcome === 'not_found') return { outcome: 'not_found' as const };
        if (result.outcome === 'conflict') return { outcome: 'conflict' as const, reason: result.reason, state: result.state };
        const frame = result.released.find((r) => r.sender === 'agent')!;
        return { outcome: 'sent' as const, message_id: frame.frameMessageId, seq: frame.seq, state: result.state };
      }),
    ),
  );

  bus.serve('conversations', (query, { correlationId }) =>
    storage(logger, correlationId, () => listConversations(db, query.list, query.limit, query.cursor)),
  );

  bus.serve('agentHistory', (query, { correlationId }) =>
    storage(logger, correlationId, () => agentHistoryPage(db, query.session_id, query.limit, query.cursor)),
  );
}

/** Caller errors pass through; anything else here is the database failing: E5003. */
async function storage<T>(logger: Logger, correlationId: string, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    if (isAppError(error)) throw error;
    logger.warn({ err: error, correlationId }, 'handoff request failed');
    throw new AppError('E5003', undefined, { cause: error });
  }
}
