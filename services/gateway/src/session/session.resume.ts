import { randomUUID } from 'node:crypto';
import type { Bus } from '@chatbot/bus';
import type { CommittedFrame, ResponsePayload } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { BrokerLink } from '../broker.link';

type LookupDeps = { bus: Bus; logger: Logger; requestTimeoutMs: number; link: BrokerLink };

export type MissedFrames =
  | { resync: false; frames: CommittedFrame[] }
  | { resync: true; reason: string; lastSeq: number };

/**
 * Asks chat-log for the committed frames a resuming client missed. Anything chat-log cannot
 * serve, or a chat-log that does not answer, becomes a resync: the client reloads its history.
 */
export async function fetchMissedFrames(deps: LookupDeps, sessionId: string, afterSeq: number): Promise<MissedFrames> {
  const correlationId = randomUUID();
  try {
    deps.link.require();
    const result = await deps.bus.request(
      'frames',
      { session_id: sessionId, after_seq: afterSeq },
      // Waits for chat-log while it reconnects: the broker link coming back asks for every session at once.
      { timeoutMs: deps.requestTimeoutMs, correlationId, waitForResponder: true },
    );
    // Ahead of what chat-log committed (a seq of another store, or one it lost): not an expiry.
    if (result.resync) return { resync: true, reason: afterSeq > result.last_seq ? 'unknown_seq' : 'frames_expired', lastSeq: result.last_seq };
    const frames = result.frames.filter((frame) => frame.seq > afterSeq).sort((a, b) => a.seq - b.seq);
    return { resync: false, frames };
  } catch (error) {
    deps.logger.warn({ err: error, sessionId, correlationId, afterSeq }, 'resume: chat-log did not serve the missed frames');
    return { resync: true, reason: 'history_unavailable', lastSeq: afterSeq };
  }
}

export type PromptStatus = ResponsePayload<'prompt'>;

/**
 * What chat-log knows of a message whose resend the broker dropped as a duplicate, or whose reply
 * timer fired: whether it is stored, the frame that answered it, whether a person answers it.
 * Undefined when chat-log cannot say (the reply timer runs on, or the timeout stands).
 */
export async function fetchPromptStatus(
  deps: LookupDeps,
  sessionId: string,
  messageId: string,
  correlationId: string,
): Promise<PromptStatus | undefined> {
  try {
    deps.link.require();
    return await deps.bus.request('prompt', { session_id: sessionId, message_id: messageId }, { timeoutMs: deps.requestTimeoutMs, correlationId, waitForResponder: true });
  } catch (error) {
    deps.logger.warn({ err: error, sessionId, messageId, correlationId }, 'chat-log did not say whether the message was answered');
    return undefined;
  }
}
