import WebSocket, { type RawData } from 'ws';
import type { LoadConfig, RunCommand } from './protocol';
import type { Window } from './window';

interface Pending {
  id: string;
  sentAt: number;
  firstTokenAt: number;
  /** Time from the send to each progress frame, by type: where a slow reply spent its time. */
  progress: Record<string, number>;
}

/** A reply slower than this is described in the result's slowSamples. */
const SLOW_REPLY_MS = 1_000;

type Frame = Record<string, unknown>;

/** Frames of protocol v2 that precede the reply; everything else carrying the id is the reply. */
const PROGRESS = new Set(['accepted', 'stored', 'typing', 'delta', 'session']);

/** One WebSocket session of the load: its first frame gives the session id, then it chats. */
class ChatClient {
  sessionId = '';
  private pending: Pending | null = null;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    private readonly driver: WsDriver,
    readonly ws: WebSocket,
    private readonly index: number,
  ) {}

  get busy(): boolean {
    return this.pending !== null;
  }

  send(): void {
    const { config, window } = this.driver;
    if (this.closed || this.pending || !window.sending) return;
    const id = `${config.idPrefix}-${this.index}-${this.seq}`;
    const message = config.messages[(this.index + this.seq) % config.messages.length]!;
    this.seq += 1;
    this.pending = { id, sentAt: performance.now(), firstTokenAt: 0, progress: {} };
    window.sent += 1;
    this.ws.send(JSON.stringify({ message_id: id, message, sender: 'user', timestamp: new Date().toISOString() }));
  }

  /** Open loop: a message every intervalMs, starting at a random phase. */
  schedule(intervalMs: number): void {
    const tick = () => {
      if (this.closed || !this.driver.window.sending) return;
      this.send();
      this.timer = setTimeout(tick, intervalMs);
    };
    this.timer = setTimeout(tick, Math.random() * intervalMs);
  }

  onFrame(frame: Frame, at: number): void {
    const pending = this.pending;
    if (!pending || frame.message_id !== pending.id) {
      if (pending && isError(frame) && frame.message_id === undefined) this.finish(at, `error frame ${JSON.stringify(frame)}`);
      return;
    }
    const type = frame.type as string | undefined;
    if (isError(frame)) return this.finish(at, `error frame ${JSON.stringify(frame)}`);
    if (type === 'delta') return this.onDelta(pending, typeof frame.text === 'string' ? frame.text.length : 0, at);
    if (type !== undefined && PROGRESS.has(type)) {
      pending.progress[type] ??= at - pending.sentAt;
      return this.driver.window.mark(type, pending.sentAt, at);
    }
    const { expectText, expectStreamed } = this.driver.config;
    const text = typeof frame.message === 'string' ? frame.message : '';
    if ((expectText && !text.includes(expectText)) || (expectStreamed && pending.firstTokenAt === 0)) {
      return this.finish(at, `unexpected reply ${JSON.stringify(frame).slice(0, 200)}`);
    }
    this.driver.window.reply(pending.sentAt, at);
    if (at - pending.sentAt > SLOW_REPLY_MS) this.driver.window.slow(describeSlow(pending, at));
    this.finish(at);
  }

  private onDelta(pending: Pending, chars: number, at: number): void {
    if (pending.firstTokenAt === 0) {
      pending.firstTokenAt = at;
      this.driver.window.firstToken(pending.sentAt, at);
    }
    this.driver.window.text(chars, at);
  }

  /** Ends the pending message (with an error if given) and, in a closed loop, sends the next. */
  finish(_at: number, error?: string): void {
    if (error) this.driver.window.error(error);
    this.pending = null;
    if (this.driver.config.intervalMs === undefined) this.send();
  }

  expire(now: number): void {
    if (this.pending && now - this.pending.sentAt > this.driver.config.replyTimeoutMs) {
      this.finish(now, `no reply within ${this.driver.config.replyTimeoutMs} ms`);
    }
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

function describeSlow(pending: Pending, at: number): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const steps = Object.entries(pending.progress).map(([type, after]) => `${type} ${ms(after)}`);
  if (pending.firstTokenAt > 0) steps.push(`first delta ${ms(pending.firstTokenAt - pending.sentAt)}`);
  const sent = new Date(Date.now() - (performance.now() - pending.sentAt)).toISOString();
  return `${pending.id} sent ${sent}: ${[...steps, `reply ${ms(at - pending.sentAt)}`].join(', ')}`;
}

function isError(frame: Frame): boolean {
  return typeof frame.error === 'string' || frame.type === 'error';
}

/** Drives `clients` WebSocket sessions from this process. */
export class WsDriver {
  private readonly clients: ChatClient[] = [];
  failures = 0;
  readonly failureSamples: string[] = [];

  constructor(
    readonly config: LoadConfig,
    readonly window: Window,
  ) {}

  async connect(): Promise<void> {
    const { clients, connectConcurrency = 100 } = this.config;
    let next = 0;
    const lane = async () => {
      while (next < clients) {
        const index = next++;
        try {
          this.clients.push(await this.open(index));
        } catch (error) {
          this.failures += 1;
          if (this.failureSamples.length < 5) this.failureSamples.push((error as Error).message);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(connectConcurrency, clients) }, lane));
  }

  private open(index: number): Promise<ChatClient> {
    const { url, protocols, localAddress } = this.config;
    const ws = new WebSocket(url, protocols ?? [], { localAddress, handshakeTimeout: 30_000 });
    const client = new ChatClient(this, ws, index);
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => reject(error);
      ws.once('error', fail);
      ws.on('close', () => {
        client.closed = true;
        if (!client.sessionId) return reject(new Error('closed before the session frame'));
        if (this.window.sending) this.window.error(`socket of ${client.sessionId} closed`);
      });
      ws.on('message', (data: RawData) => {
        const at = performance.now();
        let frame: Frame;
        try {
          frame = JSON.parse(data.toString()) as Frame;
        } catch {
          return this.window.error('unparsable frame');
        }
        if (client.sessionId) return client.onFrame(frame, at);
        if (typeof frame.session_id !== 'string') return;
        client.sessionId = frame.session_id;
        ws.off('error', fail);
        ws.on('error', () => undefined);
        resolve(client);
      });
    });
  }

  get sessions(): string[] {
    return this.clients.map((c) => c.sessionId);
  }

  /** Runs the window, then waits for replies still due (up to drainMs). */
  async run(command: RunCommand): Promise<void> {
    this.window.open(command.warmupMs, command.measureMs);
    const sweep = setInterval(() => {
      const now = performance.now();
      for (const client of this.clients) client.expire(now);
    }, 250);
    for (const client of this.clients) {
      if (this.config.intervalMs === undefined) client.send();
      else client.schedule(this.config.intervalMs);
    }
    await sleep(command.warmupMs + command.measureMs);
    this.window.sending = false;
    for (const client of this.clients) client.stop();
    const drainUntil = performance.now() + command.drainMs;
    while (this.clients.some((c) => c.busy && !c.closed) && performance.now() < drainUntil) await sleep(20);
    clearInterval(sweep);
    for (const client of this.clients) if (client.busy && !client.closed) client.finish(performance.now(), 'no reply before the drain ended');
  }

  close(): void {
    for (const client of this.clients) client.ws.terminate();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
