import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

interface ConnectOptions {
  url: string;
  name: string;
  logger: Logger;
  /** Called after every reconnect (the connection status is followed once, here). */
  onReconnect?: () => void;
}

/**
 * Connects and keeps reconnecting forever: a broker restart must never make a service give up.
 * The first connection is also retried (`waitOnFirstConnect`), so start order does not matter.
 */
export async function connectNats({ url, name, logger, onReconnect }: ConnectOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 250,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
    maxPingOut: 3,
    // Otherwise every request and JetStream publish builds an Error with a stack trace up front
    // (about a tenth of the gateway's CPU under load).
    noAsyncTraces: true,
  });
  logger.info({ server: nc.getServer() }, 'connected to NATS');
  void watchStatus(nc, logger, onReconnect);
  return nc;
}

async function watchStatus(nc: NatsConnection, logger: Logger, onReconnect?: () => void): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') logger.warn({ server: status.server }, 'NATS disconnected');
    else if (status.type === 'reconnect') {
      logger.info({ server: status.server }, 'NATS reconnected');
      onReconnect?.();
    } else if (status.type === 'error') logger.warn({ err: status.error }, 'NATS error');
  }
}
