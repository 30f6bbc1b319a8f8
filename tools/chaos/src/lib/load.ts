import { randomBytes } from 'node:crypto';
import { V2Client, type V2ClientOptions } from './v2.client';
import { sleep, waitUntil } from '@chatbot/testkit';

export interface LoadOptions {
  /** The gateway's chat URL, read at every (re)connect. */
  url: () => string;
  clients: number;
  messagesPerClient: number;
  /** Messages a client may have without a final reply before it waits (1: one at a time). */
  window?: number;
  /** Pause between two sends of one client (randomised ±50 %), so the load spans the faults. */
  intervalMs?: number;
  /** The text of message `index` of client `client` with id `id`. */
  text?: (client: number, index: number, id: string) => string;
  /** Sockets opened at once while the clients connect. */
  connectBatch?: number;
  client?: Omit<V2ClientOptions, 'url'>;
}

/**
 * A bounded closed-loop load of v2 clients: each sends its messages one by one (at most
 * `window` unanswered), resending and resuming through faults. Nothing here judges the result;
 * see accounting.ts.
 */
export class LoadRun {
  readonly clients: V2Client[] = [];
  readonly tag = randomBytes(3).toString('hex');

  constructor(private readonly options: LoadOptions) {}

  get total(): number {
    return this.options.clients * this.options.messagesPerClient;
  }

  sent(): number {
    return this.clients.reduce((sum, client) => sum + client.ledger.order.length, 0);
  }

  answered(): number {
    return this.clients.reduce((sum, client) => sum + client.ledger.order.length - client.ledger.unanswered(), 0);
  }

  /** Opens every session; throws when some could not open within `timeoutMs`. */
  async connect(timeoutMs = 60_000): Promise<void> {
    const batch = this.options.connectBatch ?? 50;
    for (let first = 0; first < this.options.clients; first += batch) {
      const started = Array.from({ length: Math.min(batch, this.options.clients - first) }, (_, i) => {
        const client = new V2Client(`c${first + i}`, { ...this.options.client, url: this.options.url });
        this.clients.push(client);
        return client.start(timeoutMs);
      });
      const opened = await Promise.all(started);
      const failed = opened.filter((ok) => !ok).length;
      if (failed > 0) throw new Error(`${failed} of ${started.length} clients could not open a session`);
    }
  }

  /** Sends every message (paced, windowed); resolves when all were sent or `deadlineMs` passed. */
  async send(deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    await Promise.all(this.clients.map((client, i) => this.drive(client, i, deadline)));
  }

  /** Waits until every message sent has a final reply; false when `timeoutMs` passed first. */
  settle(timeoutMs: number): Promise<boolean> {
    return waitUntil(() => this.answered() === this.sent(), timeoutMs, 100);
  }

  close(): void {
    for (const client of this.clients) client.close();
  }

  private async drive(client: V2Client, clientIndex: number, deadline: number): Promise<void> {
    const { messagesPerClient, window = 1, intervalMs = 0 } = this.options;
    const text = this.options.text ?? defaultText;
    for (let index = 0; index < messagesPerClient && Date.now() < deadline; index++) {
      if (intervalMs > 0) await sleep(intervalMs * (0.5 + Math.random()));
      const free = await waitUntil(() => client.ledger.unanswered() < window, deadline - Date.now(), 20);
      if (!free) return;
      const id = `${this.tag}-c${clientIndex}-m${index}`;
      client.send(text(clientIndex, index, id), id);
    }
  }
}

const defaultText = (client: number, index: number, id: string) => `chaos ${id}: 카드 혜택을 알려주세요 (${client}/${index})`;
