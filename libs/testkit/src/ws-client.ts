import WebSocket from 'ws';

/** A WebSocket client for tests: keeps every frame it received and waits for the ones it needs. */
export class TestSocket {
  readonly frames: unknown[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const text = data.toString();
      let frame: unknown;
      try {
        frame = isBinary ? { binary: text } : JSON.parse(text);
      } catch {
        frame = { unparsable: text };
      }
      this.frames.push(frame);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static open(url: string, protocols?: string | string[], options?: WebSocket.ClientOptions): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, options);
      const socket = new TestSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
    });
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits until `count` frames match, returns them in arrival order. */
  async waitFor<T = Record<string, unknown>>(
    match: (frame: Record<string, unknown>) => boolean,
    count = 1,
    timeoutMs = 15_000,
  ): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.filter((f) => typeof f === 'object' && f !== null && match(f as Record<string, unknown>));
      if (found.length >= count) return found.slice(0, count) as T[];
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) {
        throw new Error(
          `expected ${count} matching frame(s), got ${found.length}` +
            (this.closed ? ` (socket closed ${this.closed.code})` : '') +
            `; frames: ${JSON.stringify(this.frames).slice(0, 1500)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** Bot reply frames (seed protocol). */
export const isBotFrame = (frame: Record<string, unknown>) => frame.sender === 'bot';
