import type { Bus } from '@chatbot/bus';
import { AppError } from '@chatbot/runtime';

/**
 * Whether the NATS connection is up, from the bus's link events. While it is down a
 * publish or request would only wait for its timeout (the client buffers it and gives up after
 * 5 s), so the gateway answers "unavailable" at once instead.
 */
export interface BrokerLink {
  readonly up: boolean;
  /** Throws E5006 while the connection is down. */
  require(): void;
  /** Called after each reconnect, once the server has the client's subscriptions again. */
  onReconnect(listener: () => void): void;
  /** Resolves once the server has processed what this client sent so far (its subscriptions). */
  flush(): Promise<void>;
}

export function watchBrokerLink(bus: Pick<Bus, 'flush' | 'onLinkChange' | 'closed'>): BrokerLink {
  let connected = true;
  const listeners: Array<() => void> = [];
  const reconnected = () => {
    connected = true;
    // The flush returns once the server has processed what the client re-sent: its subscriptions.
    void bus.flush().then(() => listeners.forEach((listener) => listener()), () => undefined);
  };
  bus.onLinkChange((up) => (up ? reconnected() : (connected = false)));
  const link: BrokerLink = {
    get up() {
      return connected && !bus.closed;
    },
    require() {
      if (!link.up) throw new AppError('E5006', 'the message bus is disconnected');
    },
    onReconnect(listener) {
      listeners.push(listener);
    },
    flush: () => bus.flush(),
  };
  return link;
}
