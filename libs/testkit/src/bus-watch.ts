import type { Bus, Listening } from '@chatbot/bus';
import type { ChatReplyV1 } from '@chatbot/proto';
import { TestSocket } from './ws-client';

/** A reply candidate as published on CHAT_REPLIES. */
export interface ReplyCandidate {
  reply: ChatReplyV1;
  /** The JetStream de-duplication header it was published with. */
  msgId: string | undefined;
}

/**
 * Every reply candidate published, seen as a plain core-NATS subscriber: chat-log owns the
 * CHAT_REPLIES work queue, so a test must not consume it. A copy published again under the same
 * Nats-Msg-Id is kept once, as the stream keeps it. While the subject has no stream, this
 * subscriber (which never replies) turns the broker's instant "no responders" into a publish
 * timeout: a test that takes the stream away must unsubscribe first.
 */
export function watchReplyCandidates(bus: Bus, into: ReplyCandidate[]): Listening {
  return bus.subscribe('chatReply', '*', (reply, { msgId }) => {
    if (msgId && into.some((candidate) => candidate.msgId === msgId)) return;
    into.push({ reply, msgId });
  });
}

/**
 * Opens a protocol-2 socket for the session on a gateway and waits until the session is live:
 * the gateway subscribes its presence just after the upgrade.
 */
export async function openLiveSession(bus: Bus, gatewayHttpPort: number, sessionId: string, timeoutMs = 5_000): Promise<TestSocket> {
  const socket = await TestSocket.open(`ws://127.0.0.1:${gatewayHttpPort}/api/chat/ws?protocol=2&session_id=${sessionId}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = await bus.request('presence', {}, { token: sessionId, timeoutMs: 500 }).then(() => true, () => false);
    if (live) return socket;
    if (Date.now() > deadline) {
      await socket.close();
      throw new Error(`session ${sessionId} not live ${timeoutMs} ms after its socket opened`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
