import type { Bus, Delivery } from '@chatbot/bus';
import type { ChatInboundV1, ChatUsageV1 } from '@chatbot/proto';
import type { InboundOutcome } from './message.planner';

/**
 * One chat.usage event per message of a signed-in user the batch stored (new, or found stored: a
 * redelivery after a crash between the commit and these publishes), so persona counts every
 * stored message. The batch is acked only after the broker took them, and persona counts a
 * message id once, so a copy (the broker's window is two minutes) changes nothing. A message not
 * stored (another session's id, a sender refused, a completed conversation) is not counted.
 */
const counted = (outcome: InboundOutcome | undefined) => outcome === 'stored' || outcome === 'restored';

export async function publishUsage(bus: Bus, batch: Array<Delivery<ChatInboundV1>>, outcomes: InboundOutcome[]): Promise<void> {
  const seen = new Set<string>();
  const publishes: Array<Promise<unknown>> = [];
  batch.forEach((delivery, i) => {
    const { user_id: userId, message_id: messageId, session_id: sessionId, received_at: receivedAt } = delivery.payload;
    if (userId === undefined || !counted(outcomes[i]) || seen.has(messageId)) return;
    seen.add(messageId);
    const event: ChatUsageV1 = { message_id: messageId, session_id: sessionId, user_id: userId, received_at: receivedAt };
    publishes.push(bus.publish('chatUsage', '', event, { msgId: `usage:${messageId}`, correlationId: delivery.correlationId }));
  });
  await Promise.all(publishes);
}
