import { TokenBucket } from './token.bucket';

export interface BucketLimits {
  ratePerSecond: number;
  burst: number;
}

/** How often, at most, the table looks for buckets it may forget. */
const SWEEP_EVERY_MS = 10_000;

/**
 * Token buckets by key (an address, an account, an API key), created on first use. A bucket that
 * has refilled is the same as a new one, so it is forgotten at the next sweep: the table holds only
 * keys with a recent burst. Past `maxKeys` (a flood of new addresses) the oldest keys are dropped
 * first, which at worst gives one of them a fresh burst; memory stays bounded either way.
 */
export class BucketTable {
  private readonly buckets = new Map<string, TokenBucket>();
  private sweptAt: number;

  constructor(
    private readonly limits: BucketLimits,
    private readonly maxKeys: number,
    now: number,
  ) {
    this.sweptAt = now;
  }

  bucket(key: string, now: number): TokenBucket {
    this.sweepIfDue(now);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.dropOldest();
      bucket = new TokenBucket(this.limits.ratePerSecond, this.limits.burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweepIfDue(now: number): void {
    if (now - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = now;
    for (const [key, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(key);
  }

  private dropOldest(): void {
    const oldest = this.buckets.keys().next();
    if (!oldest.done) this.buckets.delete(oldest.value);
  }
}

/**
 * Passes when every bucket has a token, and then spends one of each; a refused call spends
 * nothing. Answers the wait until all of them have one (0 when passed).
 */
export function admitAll(buckets: TokenBucket[], now: number): number {
  const wait = Math.max(0, ...buckets.map((bucket) => bucket.waitMs(now)));
  if (wait === 0) for (const bucket of buckets) bucket.take(now);
  return wait;
}
