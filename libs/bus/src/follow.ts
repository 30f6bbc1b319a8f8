import { DeliverPolicy } from '@nats-io/jetstream';
import type { EventKey, EventPayload } from '@chatbot/proto';
import { parseEvent, streamOf, type Wire } from './wire';

/** One event of a followed stream, with its place in the stream. */
export interface Followed<K extends EventKey> {
  payload: EventPayload<K>;
  /** The stream sequence: where a reader that saw it resumes after. */
  seq: number;
}

export interface Following {
  /** The sequence reading began after: `afterSeq`, or the stream's last when it was null or ahead of the stream. */
  resumedAfter: number;
  /** The oldest sequence the stream still keeps (0 when empty): a reader after one below it missed events. */
  firstSeq: number;
  stop(): Promise<void>;
}

/**
 * Reads every event of a limits stream after `afterSeq` (or, given null, only the ones published
 * from now on), then keeps reading as they come, in stream order, with an ordered consumer: an
 * ephemeral consumer the client library recreates from the last sequence it delivered when the
 * broker link drops, so nothing is skipped or seen twice. Nothing is acknowledged or stored.
 */
export async function follow<K extends EventKey>(
  wire: Wire, key: K, afterSeq: number | null, handler: (event: Followed<K>) => void,
): Promise<Following> {
  const stream = wire.ns.stream(streamOf(key));
  const { state } = await wire.jsm.streams.info(stream);
  const resumedAfter = afterSeq === null ? state.last_seq : Math.min(afterSeq, state.last_seq);
  // No subject filter: a followed stream holds one subject (and filters need a newer server).
  const consumer = await wire.js.consumers.get(stream, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: resumedAfter + 1,
  });
  const messages = await consumer.consume({
    callback: (msg) => {
      const payload = parseEvent(wire.logger, key, msg);
      if (payload !== undefined) handler({ payload, seq: msg.seq });
    },
  });
  return {
    resumedAfter,
    firstSeq: state.first_seq,
    async stop() {
      messages.stop();
      await consumer.delete().catch(() => undefined);
    },
  };
}
