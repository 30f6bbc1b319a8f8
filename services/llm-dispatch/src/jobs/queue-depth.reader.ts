import type { Bus } from '@chatbot/bus';
import { consumers, type ResponsePayload } from '@chatbot/proto';

export type QueueDepth = ResponsePayload<'queueDepth'>;

/** The shared consumer's backlog, as JetStream counts it (the same numbers KEDA scales on). */
export function queueDepthReader(bus: Pick<Bus, 'consumerBacklog'>): () => Promise<QueueDepth> {
  return async () => {
    const backlog = await bus.consumerBacklog(consumers.llmDispatch);
    return {
      consumer: consumers.llmDispatch.durable,
      pending: backlog.pending,
      ack_pending: backlog.ackPending,
      redelivered: backlog.redelivered,
      waiting: backlog.waiting,
    };
  };
}
