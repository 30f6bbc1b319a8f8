/**
 * A token bucket: `rate` tokens a second, holding at most `burst`; one client frame costs one
 * token. Time is passed in (milliseconds, monotonic) so the arithmetic is testable without clocks.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Milliseconds until a token is available: 0 when one is there now. Takes nothing. */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.rate);
  }

  /** Spends a token; call only after `waitMs` returned 0. */
  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  /** A full bucket is the same as a new one, so whoever holds it may forget it. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    const elapsed = now - this.updatedAt;
    if (elapsed <= 0) return;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
    this.updatedAt = now;
  }
}

export type RateVerdict = { ok: true } | { ok: false; scope: 'connection' | 'address'; retryAfterMs: number };

/**
 * A frame passes when both its socket's and its address's bucket have a token; it then spends
 * both. A refused frame spends nothing, so a flood on one socket cannot starve the others.
 */
export function admitFrame(connection: TokenBucket, address: TokenBucket, now: number): RateVerdict {
  const ownWait = connection.waitMs(now);
  const sharedWait = address.waitMs(now);
  if (ownWait === 0 && sharedWait === 0) {
    connection.take(now);
    address.take(now);
    return { ok: true };
  }
  const scope = ownWait >= sharedWait ? 'connection' : 'address';
  return { ok: false, scope, retryAfterMs: Math.max(ownWait, sharedWait) };
}
