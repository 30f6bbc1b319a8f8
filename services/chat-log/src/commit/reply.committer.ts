import type { ChatReplyV1 } from '@chatbot/proto';
import type { ChatLogMetrics } from '../chat-log.metrics';
import type { Db } from '../store/database';
import type { FrameOrigin, FramePublisher } from '../frames/frame.publisher';
import { commitReplies, type CommitResult } from './reply.repository';
import type { Verdict } from './reply.planner';
import type { Serial } from '../frames/serial';

export interface CommitContext {
  /** Correlation id and trace of each candidate, by reply_id, carried onto its frame. */
  origins?: ReadonlyMap<string, FrameOrigin>;
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
}): ReplyCommitter {
  const { db, publisher, metrics, serial } = deps;
  return {
    commit(candidates, context = {}) {
      return serial(async () => {
        const guard = context.guard ?? ((task) => task());
        const result = await guard(() => commitReplies(db, candidates));
        record(metrics, candidates, result);
        await publisher.publish(result.released, 'live', context.origins);
        return result.verdicts;
      });
    },
  };
}

function record(metrics: ChatLogMetrics, candidates: ChatReplyV1[], result: CommitResult) {
  result.verdicts.forEach((verdict, i) => {
    const { kind, source } = candidates[i];
    if (verdict === 'commit') metrics.repliesCommitted.inc({ kind, source });
    else metrics.repliesDropped.inc({ reason: verdict });
  });
  for (const reply of result.released) {
    metrics.releaseLag.observe(Math.max(0, reply.releasedAt.getTime() - reply.createdAt.getTime()) / 1000);
  }
}
