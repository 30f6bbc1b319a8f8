import { randomUUID } from 'node:crypto';
import { SessionId } from '@chatbot/proto';
import type { Protocol } from './frame.codec';

export const V2_SUBPROTOCOL = 'chat.v2';
export const CHAT_PATHS = new Set(['/api/chat/ws', '/api/chat/ws/']);

export interface Handshake {
  protocol: Protocol;
  sessionId: string;
  /** The client's last seen seq when it resumes a session (v2 only), else null. */
  resumeFrom: number | null;
}

/**
 * v1 (the seed client) unless the client asks for v2 by subprotocol or `?protocol=2`. A v2 client
 * resumes with `session_id` and `last_seq`; anything unusable starts a new session instead.
 */
export function readHandshake(subprotocol: string, query: URLSearchParams): Handshake {
  const protocol: Protocol = subprotocol === V2_SUBPROTOCOL || query.get('protocol') === '2' ? 2 : 1;
  const requested = query.get('session_id');
  if (protocol === 2 && requested && SessionId.safeParse(requested).success) {
    return { protocol, sessionId: requested, resumeFrom: parseSeq(query.get('last_seq')) };
  }
  return { protocol, sessionId: randomUUID(), resumeFrom: null };
}

function parseSeq(value: string | null): number {
  return value !== null && /^\d{1,15}$/.test(value) ? Number(value) : 0;
}
