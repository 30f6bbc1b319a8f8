import { consumers } from '@chatbot/proto';
import { inspectWorkQueue, prefixedStream } from '@chatbot/testkit';

/**
 * After a broker crash: jobs left in the work-queue streams that their consumer already counts
 * as acknowledged. They are never delivered again, but llm-dispatch's session-head guard still
 * sees the oldest one as its session's head, so every later job of that session is handed back.
 * (A chat.stored event left so is covered by chat-log's re-drive of the unanswered turn.)
 */
export async function workQueueEvidence(natsUrl: string, prefix: string): Promise<string[]> {
  const lines: string[] = [];
  for (const { stream, durable } of [consumers.qnaRouter, consumers.llmDispatch, consumers.chatLogReplies]) {
    try {
      const state = await inspectWorkQueue(natsUrl, prefixedStream(prefix, stream), durable);
      if (state.orphans.length === 0) continue;
      lines.push(
        `${stream}: ${state.orphans.length} messages kept at or below the ack floor of ${durable} (seq ${state.ackFloor}), ` +
          `never to be delivered again; ${state.messages} in the stream, ${state.ackPending} awaiting ack, ${state.delivered} deliveries so far`,
      );
    } catch (error) {
      lines.push(`${stream}: could not be inspected (${(error as Error).message})`);
    }
  }
  return lines;
}
