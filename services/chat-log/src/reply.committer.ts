import type { ChatReplyV1 } from '@chatbot/proto';
import type { ChatLogMetrics } from './chat-log.metrics';
import type { Db } from './database';
import type { FramePublisher } from './frame.publisher';
import { commitReplies, type CommitResult } from './reply.repository';
import type { Verdict } from './reply.planner';
import type { Serial } from './serial';

export interface CommitContext {
  /** Correlation id of each candidate, by reply_id, carried onto its frame. */
  correlations?: ReadonlyMap<string, string>;
  /** Wraps the transaction, e.g. to hold a consumer batch while the database is down. */
  guard?: (task: () => Promise<CommitResult>) => Promise<CommitResult>;
}

export interface ReplyCommitter {
  /** Commits candidates, releases what is next in turn order, publishes the released frames. */
  commit(candidates: ChatReplyV1[], context?: CommitContext): Promise<Verdict[]>;
}

export function createReplyCommitter(deps: {
  db: Db;
  publisher: FramePublisher;
  metrics: ChatLogMetrics;
  serial: Serial;
  /** A candidate whose prompt is still missing after this long is dropped: it cannot come any more. */
  orphanAfterMs: number;
}): ReplyCommitter {
  const { publisher, metrics, serial } = deps;
  return {
    commit(candidates, context = {}) {
      return serial(async () => {
        const guard = context.guard ?? ((task) => task());
        const result = await guard(() => attempt(deps, candidates));
        record(metrics, candidates, result);
        await publisher.publish(result.released, 'live', context.correlations);
        return result.verdicts;
      });
    },
  };
}

/**
 * A failed attempt may still have committed (the connection lost at COMMIT), releasing frames
 * that no publish will carry: their sessions become suspect, so their next publish (a retry's,
 * a later commit's, the outbox's) sends those frames first, in seq order.
 */
async function attempt(deps: { db: Db; publisher: FramePublisher; orphanAfterMs: number }, candidates: ChatReplyV1[]): Promise<CommitResult> {
  try {
    return await commitReplies(deps.db, candidates, deps.orphanAfterMs);
  } catch (error) {
    deps.publisher.suspect(candidates.map((c) => c.session_id));
    throw error;
  }
}

function record(metrics: ChatLogMetrics, candidates: ChatReplyV1[], result: CommitResult) {
  result.verdicts.forEach((verdict, i) => {
    const { kind, source } = candidates[i];
    // `waiting` is counted by whoever holds or defers the candidate
    if (verdict === 'commit') metrics.repliesCommitted.inc({ kind, source });
    else if (verdict !== 'waiting') metrics.repliesDropped.inc({ reason: verdict });
  });
  for (const reply of result.released) {
    metrics.releaseLag.observe(Math.max(0, reply.releasedAt.getTime() - reply.createdAt.getTime()) / 1000);
  }
}
