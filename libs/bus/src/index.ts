export { Bus, type BusOptions, type PublishOptions, type EventContext } from './bus';
export type { Delivery } from './delivery';
export type { ConsumerSpec } from './topology';
export type { ConsumerHandle, BatchOptions, JobOptions } from './consumers';
export type { RequestContext, RequestHandler, RequestOptions } from './request-reply';
export { namespace, type Namespace } from './namespace';
export { CORRELATION_HEADER } from './codec';
export type { KV } from '@nats-io/kv';
export { createOrphanSweep, findOrphans, ORPHAN_SWEEP_MS, requeueMessage, type OrphanScope } from './orphans';
