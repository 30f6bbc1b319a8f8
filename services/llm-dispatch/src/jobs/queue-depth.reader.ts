import type { Bus } from '@chatbot/bus';
import { consumers, type ResponsePayload } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { DispatchMetrics } from '../dispatch.metrics';

export type QueueDepth = ResponsePayload<'queueDepth'>;

const REFRESH_MS = 5_000;

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

/** Keeps the queue gauges (and whatever `alsoEachTick` sets) fresh; returns the function that stops it. */
export function refreshQueueGauges(
  read: () => Promise<QueueDepth>,
  metrics: DispatchMetrics,
  logger: Logger,
  alsoEachTick: () => void = () => {},
): () => void {
  const refresh = () => {
    alsoEachTick();
    return read().then(
      (depth) => {
        metrics.queuePending.set(depth.pending);
        metrics.queueAckPending.set(depth.ack_pending);
      },
      (error: unknown) => logger.debug({ err: error }, 'queue depth unavailable'),
    );
  };
  void refresh();
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  timer.unref();
  return () => clearInterval(timer);
}
