import type { KeyValue } from '@chatbot/bus';
import type { LlmJobV1 } from '@chatbot/proto';

export const ATTEMPTS_BUCKET = 'llm_attempts';
export const ATTEMPTS_TTL_MS = 3_600_000;
const MAX_RACES = 5;

/**
 * Real attempts per job, shared by every worker. The broker's delivery count cannot tell them:
 * head-of-line bounces redeliver a job many times without anyone working on it.
 */
export class AttemptCounter {
  /**
   * After a failed count, `reopenLost` gives the bucket created again when the broker lost it (a
   * NATS restarted without its volume, the bucket deleted by hand), or null when it still has it;
   * without this every job would fail until a restart. The counts the bucket held are gone with
   * it: each job's count starts again.
   */
  constructor(
    private kv: KeyValue,
    private readonly reopenLost?: () => Promise<KeyValue | null>,
  ) {}

  /** Session and message ids are NATS-token safe by contract (UUID, [A-Za-z0-9_-]). */
  static key(job: Pick<LlmJobV1, 'session_id' | 'message_id'>): string {
    return `${job.session_id}.${job.message_id}`;
  }

  /**
   * Counts one more attempt and returns the new count (1 for the first). On a first delivery no
   * worker can have tried the job yet, so it creates the entry without reading it first (one round
   * trip instead of two); an entry that exists after all (a message id resent after the broker's
   * de-duplication window) falls back to read-and-update.
   */
  async record(job: LlmJobV1, firstDelivery = false): Promise<number> {
    try {
      return await this.count(job, firstDelivery);
    } catch (error) {
      const reopened = await this.reopenLost?.();
      if (!reopened) throw error;
      this.kv = reopened;
      return this.count(job, firstDelivery);
    }
  }

  private async count(job: LlmJobV1, firstDelivery: boolean): Promise<number> {
    const key = AttemptCounter.key(job);
    let entry = firstDelivery ? null : await this.kv.get(key);
    for (let race = 0; ; race += 1) {
      const next = (entry ? Number(entry.value) || 0 : 0) + 1;
      try {
        if (entry) await this.kv.update(key, String(next), entry.revision);
        else await this.kv.create(key, String(next));
        return next;
      } catch (error) {
        // Another worker wrote in between (a redelivery racing a slow worker): read again.
        if (race >= MAX_RACES) throw error;
        entry = await this.kv.get(key);
      }
    }
  }
}
