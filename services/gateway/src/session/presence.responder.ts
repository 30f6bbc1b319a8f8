import type { Bus, EventContext, Listening } from '@chatbot/bus';
import type { SessionDeliveryV1 } from '@chatbot/proto';

/**
 * A session's deliveries, and its presence (`gw.presence.v1.<sid>`, answered by this gateway while
 * the socket is open), on one NATS subscription; unsubscribe when the socket closes.
 */
export function attendSession(bus: Bus, sessionId: string, gatewayId: string, deliver: (delivery: SessionDeliveryV1, context: EventContext) => void): Listening {
  return bus.attend(sessionId, { event: 'sessionDelivery', handler: deliver, request: 'presence', responder: async () => ({ gateway_id: gatewayId }) });
}
