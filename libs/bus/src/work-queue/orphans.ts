import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from '@chatbot/runtime';

/**
 * Work-queue orphans: messages a work-queue stream holds at or below its consumer's ack floor.
 * The consumer never delivers them. A nats-server killed with -9 leaves them behind in two ways:
 * an acknowledged message whose removal was not written, or (worse) a message published after the
 * restart into a sequence the consumer's saved state had already passed, because the stream lost
 * its last writes and the consumer's state did not. The two cannot be told apart, so an orphan is
 * requeued (published again, then removed): a duplicate is absorbed downstream, where every step
 * is idempotent, while a dropped orphan would be a lost message.
 */
export interface OrphanScope {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  durable: string;
  logger: Logger;
}

/**
 * How often a service sweeps its work queue: an orphan is requeued 2–4 s after a crash (it
 * blocks its session until then). A sweep is two info requests when there is none.
 */
export const ORPHAN_SWEEP_MS = 2_000;

/**
 * Sequences examined by one call. Orphans sit at the head of the stream (everything after the
 * ack floor is still owed to the consumer), and each requeue moves the head on, so a bounded
 * window from the first sequence finds them all over a few sweeps.
 */
const MAX_SCAN = 1_000;

/** The stream sequences at or below the ack floor that still hold a message (from the first). */
export async function findOrphans(scope: Pick<OrphanScope, 'jsm' | 'stream' | 'durable'>): Promise<number[]> {
  const { state } = await scope.jsm.streams.info(scope.stream);
  if (state.messages === 0) return [];
  const floor = (await scope.jsm.consumers.info(scope.stream, scope.durable)).ack_floor.stream_seq;
  const last = Math.min(floor, state.first_seq + MAX_SCAN - 1);
  const found: number[] = [];
  for (let seq = state.first_seq; seq <= last; seq++) {
    const message = await scope.jsm.streams.getMessage(scope.stream, { seq }).catch(() => null);
    if (message) found.push(seq);
  }
  return found;
}

/**
 * Publishes the stored message again (new sequence, delivered anew) and removes the old copy.
 * Every replica sweeps, so several may requeue one orphan at the same moment: the copy's dedupe id
 * names the original (its sequence and arrival time), and the broker keeps one copy.
 */
export async function requeueMessage(scope: OrphanScope, seq: number): Promise<void> {
  const stored = await scope.jsm.streams.getMessage(scope.stream, { seq }).catch(() => null);
  if (!stored) return; // already taken care of
  const headers = natsHeaders();
  for (const key of stored.header?.keys() ?? []) {
    // Not the old dedupe id: the broker would drop the copy as a duplicate of the original.
    if (key.toLowerCase() !== 'nats-msg-id') for (const value of stored.header.values(key)) headers.append(key, value);
  }
  const msgID = `requeue:${seq}:${stored.time.toISOString()}`;
  const ack = await scope.js.publish(stored.subject, stored.data, { headers, msgID, timeout: 5_000 });
  await scope.jsm.streams.deleteMessage(scope.stream, seq, false).catch(() => false);
  if (ack.duplicate) return; // another replica's copy: it says so
  scope.logger.warn({ stream: scope.stream, streamSeq: seq, subject: stored.subject }, 'requeued a message the consumer was not delivering (broker crash)');
}

/**
 * A periodic sweep: requeues orphans seen on two sweeps in a row, so a message caught between its
 * ack and its removal in a healthy broker is left alone. Returns how many it requeued.
 */
export function createOrphanSweep(scope: OrphanScope): () => Promise<number> {
  let seenBefore = new Set<number>();
  return async () => {
    const found = await findOrphans(scope);
    const confirmed = found.filter((seq) => seenBefore.has(seq));
    seenBefore = new Set(found.filter((seq) => !confirmed.includes(seq)));
    for (const seq of confirmed) await requeueMessage(scope, seq);
    return confirmed.length;
  };
}
