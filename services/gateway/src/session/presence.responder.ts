import type { Bus } from '@chatbot/bus';

/** Answers `gw.presence.v1.<sid>` while one socket is open; stop it when the socket closes. */
export function servePresence(bus: Bus, sessionId: string, gatewayId: string): { stop(): Promise<void> } {
  return bus.serve('presence', async () => ({ gateway_id: gatewayId }), sessionId);
}
