import { createInbox, NoRespondersError, TimeoutError, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { decodeJson } from './codec';
import type { Published } from './bus.types';

interface Waiting {
  subject: string;
  deadline: number;
  resolve(ack: Published): void;
  reject(error: Error): void;
}

interface PubAck {
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; description?: string };
}

/** How often publishes past their timeout are failed: a timeout fires up to this much late. */
const SWEEP_MS = 100;

/**
 * JetStream publishes whose acks come back on one wildcard inbox of the connection, matched by a
 * counter. nats.js's `js.publish` goes through a request that builds a timer, a race of two
 * promises and an Error (its "cancelled" rejection, built even after a success) per message,
 * which made up most of a publish's CPU in the services. Timeouts are kept by one sweep.
 */
export class AckInbox {
  private readonly waiting = new Map<string, Waiting>();
  private readonly prefix = `${createInbox()}.`;
  private next = 0;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly nc: NatsConnection) {
    const sub = nc.subscribe(`${this.prefix}*`, {
      callback: (error, msg) => {
        if (!error) this.settle(msg);
      },
    });
    void sub.closed.then(() => this.failAll(new Error('NATS connection closed before the broker acked')));
  }

  /** Publishes with the message's headers (Nats-Msg-Id set by the caller) and waits for the broker's ack. */
  publish(subject: string, data: Uint8Array, headers: MsgHdrs, timeoutMs: number): Promise<Published> {
    const token = (this.next++).toString(36);
    return new Promise<Published>((resolve, reject) => {
      this.waiting.set(token, { subject, deadline: Date.now() + timeoutMs, resolve, reject });
      try {
        this.nc.publish(subject, data, { headers, reply: this.prefix + token });
      } catch (error) {
        this.waiting.delete(token);
        reject(error as Error);
        return;
      }
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS);
    });
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const waiting = this.waiting.get(token);
    if (!waiting) return; // answered after its timeout
    this.waiting.delete(token);
    // No stream listens on the subject (a stream deleted, JetStream off): the server's 503 status.
    if (msg.data.length === 0 && msg.headers?.code === 503) return waiting.reject(new NoRespondersError(waiting.subject));
    const ack = decodeJson(msg.data) as PubAck | undefined;
    if (ack?.error || typeof ack?.seq !== 'number') {
      return waiting.reject(new Error(`JetStream refused the publish to ${waiting.subject}: ${ack?.error?.description ?? 'invalid ack'}`));
    }
    waiting.resolve({ seq: ack.seq, duplicate: ack.duplicate === true });
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, waiting] of this.waiting) {
      if (waiting.deadline > now) continue;
      this.waiting.delete(token);
      waiting.reject(new TimeoutError());
    }
    if (this.waiting.size > 0) return;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private failAll(error: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
