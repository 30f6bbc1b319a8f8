import { TokenBucket } from '../limits/token.bucket';

export interface AddressLimits {
  maxConnections: number;
  ratePerSecond: number;
  burst: number;
}

interface Entry {
  connections: number;
  bucket: TokenBucket;
}

/** One connection's share of its address: the shared bucket, and `release()` on close. */
export interface AddressSlot {
  readonly address: string;
  readonly bucket: TokenBucket;
  release(): void;
}

/**
 * What each client address holds right now: its open sockets and its shared frame bucket.
 * An address is forgotten once it has no socket and its bucket has refilled (it then looks like a
 * new one), so the map holds only addresses with sockets or a recent burst: it cannot grow with
 * every address ever seen. The bucket outlives the last socket for that refill time, so
 * reconnecting does not reset an address's rate.
 */
export class AddressLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limits: AddressLimits,
    private readonly now: () => number,
  ) {}

  canConnect(address: string): boolean {
    return (this.entries.get(address)?.connections ?? 0) < this.limits.maxConnections;
  }

  /** Counts a socket for its address; it must `release()` its slot exactly once when it closes. */
  attach(address: string): AddressSlot {
    const entry = this.entryFor(address);
    entry.connections += 1;
    return new Slot(this, address, entry);
  }

  /** For Slot only: one socket of this address closed. */
  detach(address: string, entry: Entry): void {
    entry.connections -= 1;
    this.forgetIfIdle(address, entry);
  }

  /** Drops every address with no socket and a full bucket; run it periodically. */
  sweep(): void {
    for (const [address, entry] of this.entries) this.forgetIfIdle(address, entry);
  }

  get size(): number {
    return this.entries.size;
  }

  private entryFor(address: string): Entry {
    let entry = this.entries.get(address);
    if (!entry) {
      entry = { connections: 0, bucket: new TokenBucket(this.limits.ratePerSecond, this.limits.burst, this.now()) };
      this.entries.set(address, entry);
    }
    return entry;
  }

  private forgetIfIdle(address: string, entry: Entry): void {
    if (entry.connections === 0 && entry.bucket.isFull(this.now()) && this.entries.get(address) === entry) {
      this.entries.delete(address);
    }
  }
}

/** A class, not a closure over the ledger: one slot per socket, and a closure costs its context too. */
class Slot implements AddressSlot {
  private released = false;

  constructor(
    private readonly ledger: AddressLedger,
    readonly address: string,
    private readonly entry: Entry,
  ) {}

  get bucket(): TokenBucket {
    return this.entry.bucket;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.ledger.detach(this.address, this.entry);
  }
}
