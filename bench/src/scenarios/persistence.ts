import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import { sleep } from './context';

/** One reading: messages the broker accepted (CHAT_INBOUND) and rows chat-log has stored. */
export interface Sample {
  atMs: number;
  accepted: number;
  stored: number;
}

/**
 * Watches chat-log keep up with the gateway: the inbound stream's message count against the row
 * count of chat_log.messages, and the stored rows of the bench's sessions.
 */
export class PersistenceProbe {
  private constructor(
    private readonly db: Client,
    private readonly nc: NatsConnection,
    private readonly stream: string,
  ) {}

  static async open(databaseUrl: string, natsUrl: string, prefix: string): Promise<PersistenceProbe> {
    const db = new Client({ connectionString: databaseUrl });
    // Postgres going away (end of run, Ctrl-C) must not crash the harness through an 'error' event.
    db.on('error', () => undefined);
    await db.connect();
    const nc = await connect({ servers: natsUrl, name: 'bench-probe' });
    // The bus namespace: prefix upper-cased, '-' → '_' (libs/bus/src/namespace.ts).
    return new PersistenceProbe(db, nc, `${prefix.toUpperCase().replaceAll('-', '_')}_CHAT_INBOUND`);
  }

  async sample(): Promise<Sample> {
    // Stored first, then accepted: a backlog read this way can only be overstated.
    const stored = await this.storedTotal();
    const accepted = await this.acceptedTotal();
    return { atMs: performance.now(), accepted, stored };
  }

  /** Samples every intervalMs for windowMs. */
  async watch(windowMs: number, intervalMs = 500): Promise<Sample[]> {
    const samples = [await this.sample()];
    const end = performance.now() + windowMs;
    while (performance.now() < end) {
      await sleep(Math.min(intervalMs, Math.max(0, end - performance.now())));
      samples.push(await this.sample());
    }
    return samples;
  }

  private async acceptedTotal(): Promise<number> {
    const reply = await this.nc.request(`$JS.API.STREAM.INFO.${this.stream}`, '', { timeout: 5_000 });
    const info = reply.json<{ state?: { messages: number }; error?: { description: string } }>();
    if (!info.state) throw new Error(`stream ${this.stream}: ${info.error?.description ?? 'no state'}`);
    return info.state.messages;
  }

  private async storedTotal(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>('SELECT count(*) AS n FROM chat_log.messages');
    return Number(rows[0]!.n);
  }

  /** Rows stored for the given sessions; waits (up to timeoutMs) for `expected` to be reached. */
  async storedFor(sessions: string[], expected: number, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const { rows } = await this.db.query<{ n: string }>(
        'SELECT count(*) AS n FROM chat_log.messages WHERE session_id = ANY($1::uuid[])',
        [sessions],
      );
      const stored = Number(rows[0]!.n);
      if (stored >= expected || performance.now() > deadline) return stored;
      await sleep(250);
    }
  }

  /** received_at → stored_at per row (stored_at is the storing transaction's start), p50 and p99 in ms. */
  async lag(sessions: string[]): Promise<{ p50: number; p99: number; max: number }> {
    const { rows } = await this.db.query<{ p50: number; p99: number; max: number }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY d) AS p99, max(d) AS max
         FROM (SELECT extract(epoch FROM stored_at - received_at) * 1000 AS d
                 FROM chat_log.messages WHERE session_id = ANY($1::uuid[])) lags`,
      [sessions],
    );
    const row = rows[0]!;
    return { p50: Number(row.p50), p99: Number(row.p99), max: Number(row.max) };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.db.end(), this.nc.close()]);
  }
}

/** Rates over the samples and the largest backlog seen. */
export function rates(samples: Sample[]): { acceptedPerSecond: number; storedPerSecond: number; maxBacklog: number } {
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const seconds = (last.atMs - first.atMs) / 1000;
  return {
    acceptedPerSecond: (last.accepted - first.accepted) / seconds,
    storedPerSecond: (last.stored - first.stored) / seconds,
    maxBacklog: Math.max(...samples.map((s) => s.accepted - s.stored)),
  };
}
