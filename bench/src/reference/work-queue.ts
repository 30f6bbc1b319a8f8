import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type Consumer } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/** The subjects relay-server.js publishes to with RELAY_DURABLE=1: `<prefix>.din.<session id>`. */
export const durableInHead = (prefix: string) => `${prefix}.din.`;

/**
 * The JetStream work queue in front of a durable reference's answering process (file storage, as
 * the product's streams) and its one pull consumer. `remove` deletes the stream when the
 * reference stops, so runs leave nothing behind in a shared broker.
 */
export async function openWorkQueue(nc: NatsConnection, prefix: string): Promise<{ consumer: Consumer; remove(): Promise<void> }> {
  const stream = `${prefix.toUpperCase()}_DURABLE_RELAY`;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${durableInHead(prefix)}*`], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
  await jsm.consumers.add(stream, { durable_name: 'responder', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
  const consumer = await jetstream(nc).consumers.get(stream, 'responder');
  const remove = async () => {
    await jsm.streams.delete(stream).catch(() => false); // already gone: nothing to remove
  };
  return { consumer, remove };
}
