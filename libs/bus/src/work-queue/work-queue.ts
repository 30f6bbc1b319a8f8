import type { StreamName } from '@chatbot/proto';
import { createOrphanSweep, requeueMessage } from './orphans';
import type { Wire } from '../wire';

/** The oldest message of one subject still in a stream, and when the broker stored it. */
export interface QueuedMessage {
  seq: number;
  queuedAt: Date;
  /** Its subject, without the namespace prefix. */
  subject: string;
  data: Uint8Array;
}

/** A durable consumer's backlog as JetStream counts it (the numbers KEDA scales on). */
export interface ConsumerBacklog {
  /** Messages not delivered yet. */
  pending: number;
  /** Delivered, not acknowledged yet. */
  ackPending: number;
  redelivered: number;
  /** Pull requests waiting for a message. */
  waiting: number;
}

/** A durable consumer by name, as proto's `consumers` lists them. */
export interface Durable {
  stream: StreamName;
  durable: string;
}

/** Direct get (streams allow it): the first message on this exact subject from sequence 1. */
export async function oldestOnSubject(wire: Wire, stream: StreamName, subject: string): Promise<QueuedMessage | null> {
  const head = await wire.jsm.direct.getMessage(wire.ns.stream(stream), { next_by_subj: wire.ns.subject(subject), seq: 1 });
  if (head === null) return null;
  return { seq: head.seq, queuedAt: head.time, subject: wire.ns.strip(head.subject), data: head.data };
}

export function requeue(wire: Wire, consumer: Durable, seq: number): Promise<void> {
  return requeueMessage(scopeOf(wire, consumer), seq);
}

/** Removes a stored message; false when it was gone already. */
export function removeMessage(wire: Wire, stream: StreamName, seq: number): Promise<boolean> {
  return wire.jsm.streams.deleteMessage(wire.ns.stream(stream), seq, false).catch(() => false);
}

/** Removes every stored message on one exact subject of a stream; how many there were. */
export async function purgeSubject(wire: Wire, stream: StreamName, subject: string): Promise<number> {
  const { purged } = await wire.jsm.streams.purge(wire.ns.stream(stream), { filter: wire.ns.subject(subject) });
  return purged;
}

export function orphanSweep(wire: Wire, consumer: Durable): () => Promise<number> {
  return createOrphanSweep(scopeOf(wire, consumer));
}

export async function backlogOf(wire: Wire, consumer: Durable): Promise<ConsumerBacklog> {
  const info = await wire.jsm.consumers.info(wire.ns.stream(consumer.stream), consumer.durable);
  return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered, waiting: info.num_waiting };
}

function scopeOf(wire: Wire, consumer: Durable) {
  return { js: wire.js, jsm: wire.jsm, stream: wire.ns.stream(consumer.stream), durable: consumer.durable, logger: wire.logger };
}
