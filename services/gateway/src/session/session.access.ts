import { randomUUID } from 'node:crypto';
import type { Bus } from '@chatbot/bus';
import type { SessionAccessResult } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { BrokerLink } from '../broker.link';

type LookupDeps = { bus: Bus; logger: Logger; requestTimeoutMs: number; link: BrokerLink };

/**
 * `refused`: the client is told the session does not exist (whether it does is not its business);
 * `unavailable`: chat-log did not answer, so nobody is let in (try again later).
 */
export type AccessVerdict = 'allowed' | 'refused' | 'unavailable';

/** The close of a socket naming a session it may not open: 4000 + HTTP 404, as if there were none. */
export const SESSION_NOT_FOUND_CLOSE = 4404;
/** The close when chat-log cannot say who may open the session (RFC 6455 "try again later"). */
export const TRY_AGAIN_LATER_CLOSE = 1013;

/** An account opens its own sessions and new ones; an anonymous socket opens anonymous and new ones. */
export function mayOpen(access: SessionAccessResult['access'], accountId: string | null): boolean {
  return access === 'new' || access === (accountId === null ? 'anonymous' : 'owner');
}

/** Asks chat-log (which owns conversations) whether this caller may open a session the client named. */
export async function checkSessionAccess(deps: LookupDeps, sessionId: string, accountId: string | null): Promise<AccessVerdict> {
  const correlationId = randomUUID();
  try {
    deps.link.require();
    const { access } = await deps.bus.request(
      'sessionAccess',
      { session_id: sessionId, user_id: accountId },
      { timeoutMs: deps.requestTimeoutMs, correlationId, waitForResponder: true },
    );
    return mayOpen(access, accountId) ? 'allowed' : 'refused';
  } catch (error) {
    deps.logger.warn({ err: error, sessionId, correlationId }, 'session access: chat-log did not answer');
    return 'unavailable';
  }
}
