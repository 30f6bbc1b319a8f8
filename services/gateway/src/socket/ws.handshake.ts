import { randomUUID } from 'node:crypto';
import { SessionId } from '@chatbot/proto';
import type { Protocol } from './frame.codec';
import type { SeedWire } from './wire.codec';

export const V2_SUBPROTOCOL = 'chat.v2';
/** Only needed beside a `bearer.<token>` subprotocol: a client offering subprotocols must get one back. */
export const V1_SUBPROTOCOL = 'chat.v1';

/** The subprotocol the gateway selects: a chat protocol, never a credential the client offered. */
export function selectSubprotocol(offered: Set<string>): string | false {
  if (offered.has(V2_SUBPROTOCOL)) return V2_SUBPROTOCOL;
  return offered.has(V1_SUBPROTOCOL) ? V1_SUBPROTOCOL : false;
}
export const CHAT_PATHS = new Set(['/api/chat/ws', '/api/chat/ws/']);
/** The seed clients' own paths and wire formats; seed 001's needs an access token. */
export const SEED_PATHS: ReadonlyMap<string, SeedWire> = new Map([
  ['/ws/chat', 'seed001'],
  ['/ws/chat/', 'seed001'],
  ['/ws/emotion', 'seed002'],
  ['/ws/emotion/', 'seed002'],
]);

/**
 * A seed client has no seq: naming an existing session, it joins it at chat-log's last committed
 * frame. The order asks for the frames after this seq, past any, and chat-log answers with its last.
 */
export const AT_HEAD = Number.MAX_SAFE_INTEGER;

export interface Handshake {
  protocol: Protocol;
  sessionId: string;
  /** The client's last seen seq when it resumes a session (v2 only), else null. */
  resumeFrom: number | null;
  /** A seed client's wire format (its SocketOrder runs as v2); absent for v1 and v2. */
  wire?: SeedWire;
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

/**
 * The seed clients speak v2's events in their own frames, without resume: `session_id` names the
 * session to join (at its head), else a new one starts. Seed 002's `user_id` is the client's word,
 * not an identity, and is not used.
 */
export function readSeedHandshake(wire: SeedWire, query: URLSearchParams): Handshake {
  const requested = query.get('session_id');
  if (requested && SessionId.safeParse(requested).success) return { protocol: 2, wire, sessionId: requested, resumeFrom: AT_HEAD };
  return { protocol: 2, wire, sessionId: randomUUID(), resumeFrom: null };
}
