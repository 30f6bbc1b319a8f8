// The public surface of the bus. No export hands out a NATS client object (connection, JetStream
// client or manager, subscription, bucket): services get named, typed operations of the Bus.
export { Bus, reconnectForTests } from './bus';
export type { BusOptions, PublishOptions, EventContext, Published, Listening } from './bus.types';
export type { Delivery } from './delivery';
export type { ConsumerSpec } from './topology';
export type { ConsumerHandle, BatchOptions, JobOptions } from './consumers';
export type { RequestContext, RequestHandler, RequestOptions } from './request-reply';
export type { KeyValue, KvChange, KvEntry, KvWatch } from './buckets/kv';
export type { ObjectBucket, StoredObject } from './buckets/object-store';
export type { Followed, Following } from './follow';
export type { ConsumerBacklog, Durable, QueuedMessage } from './work-queue/work-queue';
export { namespace, type Namespace } from './namespace';
export { CORRELATION_HEADER } from './codec';
export { findOrphans, ORPHAN_SWEEP_MS } from './work-queue/orphans';
