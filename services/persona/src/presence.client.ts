import type { Bus } from '@chatbot/bus';
import { isAppError } from '@chatbot/runtime';

export interface PresenceClient {
  /** true when the gateway instance holding the session's socket answers for it. */
  isLive(sessionId: string, correlationId: string): Promise<boolean>;
}

/**
 * Asks `gw.presence.v1.<sid>`, which only the gateway holding that socket subscribes to: no
 * responder (or no answer in time) means nobody holds the session. A broken bus is not an answer
 * and propagates as such.
 */
export function presenceClient(bus: Bus, timeoutMs: number): PresenceClient {
  return {
    async isLive(sessionId, correlationId) {
      try {
        await bus.request('presence', {}, { token: sessionId, timeoutMs, correlationId });
        return true;
      } catch (error) {
        if (isAppError(error) && (error.code === 'E5002' || error.code === 'E5001')) return false;
        throw error;
      }
    },
  };
}
