import { randomUUID } from 'node:crypto';
import WebSocket, { type RawData } from 'ws';
import { ServerFrameV2 } from '@chatbot/proto';

/** What the session tells the screen. */
export type SessionEvent =
  | { kind: 'frame'; frame: ServerFrameV2 }
  /** `wasOpen`: a session was open on that socket (else the connection attempt failed, for `reason`). */
  | { kind: 'disconnected'; code: number; retryInMs: number; wasOpen: boolean; reason?: string }
  | { kind: 'unreadable'; text: string };

const MAX_BACKOFF_MS = 5_000;

/**
 * One protocol-v2 chat session that outlives its sockets. A message is sent again (same
 * message_id) on every new socket until the gateway says it is `stored`; after a drop the
 * session reconnects with backoff and resumes with its session id and the last durable `seq` it
 * saw, so replies committed meanwhile are replayed, never lost or doubled.
 */
export class ChatSession {
  sessionId?: string;
  /** The last durable frame's seq (replies: 1, 2, 3 …). */
  lastSeq = 0;
  private ws: WebSocket | null = null;
  private open = false;
  private lastError?: string;
  private closed = false;
  private backoffMs = 250;
  private readonly unstored = new Map<string, string>();
  /** Messages without their final reply yet. */
  readonly awaiting = new Set<string>();

  constructor(
    private readonly url: string,
    private readonly emit: (event: SessionEvent) => void,
  ) {}

  connect(): void {
    if (this.closed) return;
    const query = this.sessionId ? `?protocol=2&session_id=${this.sessionId}&last_seq=${this.lastSeq}` : '?protocol=2';
    const ws = new WebSocket(`${this.url}${query}`, { handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on('message', (data, isBinary) => this.onMessage(ws, data, isBinary));
    ws.on('error', (error) => (this.lastError = error.message)); // 'close' follows and reconnects
    ws.on('close', (code) => this.onClose(ws, code));
  }

  /** Sends a message (now, or on the next socket); returns its id. */
  send(text: string): string {
    const id = randomUUID();
    this.unstored.set(id, text);
    this.awaiting.add(id);
    this.transmit(id, text);
    return id;
  }

  close(): void {
    this.closed = true;
    this.ws?.close(1000, 'bye');
  }

  private transmit(id: string, text: string): void {
    if (this.ws?.readyState !== WebSocket.OPEN || !this.sessionId) return;
    this.ws.send(JSON.stringify({ type: 'message', message_id: id, message: text }));
  }

  private onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (ws !== this.ws) return;
    const text = isBinary ? '' : data.toString();
    const parsed = ServerFrameV2.safeParse(safeJson(text));
    if (!parsed.success) return this.emit({ kind: 'unreadable', text });
    const frame = parsed.data;
    if (frame.type === 'reply' && frame.seq !== this.lastSeq + 1) {
      if (frame.seq <= this.lastSeq) return; // replayed after a resume: shown already
      // A reply is missing before this one: resuming from the last one seen replays both in order.
      return void ws.terminate();
    }
    this.track(frame);
    this.emit({ kind: 'frame', frame });
  }

  private track(frame: ServerFrameV2): void {
    if (frame.type === 'session') {
      this.open = true;
      this.lastError = undefined;
      this.sessionId = frame.session_id;
      this.backoffMs = 250;
      for (const [id, text] of this.unstored) this.transmit(id, text);
    }
    if (frame.type === 'reply') this.lastSeq = frame.seq;
    if (frame.type === 'stored' || frame.type === 'reply') this.unstored.delete(frame.message_id);
    if (frame.type === 'reply') this.awaiting.delete(frame.message_id);
    // Not accepted (the broker refused it): the gateway asks for a resend later.
    if (frame.type === 'error' && frame.message_id && frame.retry_after_ms !== undefined) {
      const { message_id: id, retry_after_ms: wait } = frame;
      setTimeout(() => {
        const text = this.unstored.get(id);
        if (text !== undefined) this.transmit(id, text);
      }, wait).unref();
    }
    // Replies older than what the server can replay are gone: start counting afresh.
    if (frame.type === 'resync') this.lastSeq = frame.seq;
  }

  private onClose(ws: WebSocket, code: number): void {
    if (ws !== this.ws) return;
    this.ws = null;
    const wasOpen = this.open;
    this.open = false;
    if (this.closed) return;
    const retryInMs = this.backoffMs;
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    this.emit({ kind: 'disconnected', code, retryInMs, wasOpen, reason: this.lastError });
    setTimeout(() => this.connect(), retryInMs);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
