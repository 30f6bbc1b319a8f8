import type { ClientChatFrame, ClientHandoffFrame, ServerFrameV2 } from '@chatbot/proto';

/**
 * The page's one connection to the gateway (protocol v2), and the only code that knows about
 * sessions, `seq`, resume and resends. It keeps what a reload or a dropped socket must not lose
 * (session id, last seq, messages not yet stored) in storage, reconnects with backoff, resumes from
 * the last seq and resends every message the server has not confirmed as stored, with the same
 * message id, so nothing is lost or doubled. Everything else is the caller's: frames are handed on.
 */

/** The part of the browser's WebSocket this module uses, so a test can drive it. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export type Status = 'connecting' | 'online' | 'offline' | 'idle' | 'replaced';

export interface ChatSocketOptions {
  /** The socket URL for a query such as `?protocol=2&session_id=…&last_seq=3`. */
  url: (query: string) => string;
  open: (url: string) => SocketLike;
  store: KeyValueStore;
  onFrame: (frame: ServerFrameV2) => void;
  onStatus: (status: Status) => void;
  /** The signed-in person's access token for the socket URL; absent or null: anonymous. */
  token?: () => string | null;
  /** The gateway closed the socket for its token (4401): refresh it, then the socket reconnects. */
  reauthorize?: () => Promise<unknown>;
  /** Waits before reconnect attempt n (0, 1, 2 …); grows to 8 s. */
  backoffMs?: (attempt: number) => number;
  setTimer?: (run: () => void, ms: number) => unknown;
}

interface Saved {
  sessionId?: string;
  lastSeq: number;
  /** Sent, not yet `stored`: resent after every reconnect, in the order they were typed. */
  unacked: Array<{ message_id: string; message: string; attachment_ids?: string[] }>;
}

const STORE_KEY = 'chat.connection';
const IDLE_CLOSE = 1000; // the gateway's idle timeout: come back when the person writes again
const REPLACED_CLOSE = 4001; // the same session was resumed by another tab
const UNAUTHORIZED_CLOSE = 4401; // the access token expired or was refused
/** Errors after which the message was not taken and may be sent again later. */
const RETRY_LATER = new Set(['E4004', 'E5006']);

const defaultBackoff = (attempt: number) => Math.min(8_000, 250 * 2 ** attempt) * (0.75 + Math.random() * 0.5);

export class ChatSocket {
  private socket: SocketLike | null = null;
  private saved: Saved;
  private attempt = 0;
  private status: Status = 'connecting';
  private stopped = false;

  constructor(private readonly options: ChatSocketOptions) {
    this.saved = load(options.store);
  }

  get sessionId(): string | undefined {
    return this.saved.sessionId;
  }

  get lastSeq(): number {
    return this.saved.lastSeq;
  }

  connect(): void {
    const { sessionId, lastSeq } = this.saved;
    if (this.stopped) return;
    const params = new URLSearchParams({ protocol: '2' });
    if (sessionId) {
      params.set('session_id', sessionId);
      params.set('last_seq', String(lastSeq));
    }
    const token = this.options.token?.();
    if (token) params.set('token', token);
    const query = `?${params}`;
    this.setStatus('connecting');
    const socket = this.options.open(this.options.url(query));
    this.socket = socket;
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => this.closed(socket, event.code);
  }

  /** Closes for good (the page signed in or out and opens another connection). */
  stop(): void {
    this.stopped = true;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'stopped');
  }

  /** Asks for a person (`{"type":"handoff"}`); false when offline (the person tries again). */
  handoff(): boolean {
    if (this.status !== 'online') return false;
    this.transmit({ type: 'handoff' });
    return true;
  }

  /** Sends now when online; otherwise the message waits for the next session frame. */
  send(message_id: string, message: string, attachmentIds: string[] = []): void {
    const pending = { message_id, message, ...(attachmentIds.length > 0 ? { attachment_ids: attachmentIds } : {}) };
    this.saved.unacked.push(pending);
    this.save();
    if (this.status === 'online') this.transmit({ type: 'message', ...pending });
    else if (this.status === 'idle') this.connect();
  }

  private receive(data: unknown): void {
    const frame = parse(data);
    if (!frame) return;
    switch (frame.type) {
      case 'session':
        return this.started(frame);
      case 'stored':
        this.forget(frame.message_id);
        break;
      case 'reply':
        // A resent message that was answered before gets its reply (same seq) again: shown once.
        if (frame.seq <= this.saved.lastSeq) return;
        this.saved.lastSeq = frame.seq;
        this.forget(frame.message_id);
        break;
      case 'agent':
      case 'status':
        // durable like a reply, for no message of this page: counted, shown once
        if (frame.seq <= this.saved.lastSeq) return;
        this.saved.lastSeq = frame.seq;
        this.save();
        break;
      case 'resync':
        this.saved.lastSeq = frame.seq;
        this.save();
        break;
      case 'error':
        if (frame.message_id) this.failed(frame.message_id, frame.code, frame.retry_after_ms);
        break;
    }
    this.options.onFrame(frame);
  }

  private started(frame: Extract<ServerFrameV2, { type: 'session' }>): void {
    if (frame.session_id !== this.saved.sessionId) this.saved.lastSeq = frame.seq;
    this.saved.sessionId = frame.session_id;
    this.save();
    this.attempt = 0;
    this.setStatus('online');
    this.options.onFrame(frame);
    for (const pending of this.saved.unacked) this.transmit({ type: 'message', ...pending });
  }

  private failed(messageId: string, code: string, retryAfterMs?: number): void {
    const pending = this.saved.unacked.find((m) => m.message_id === messageId);
    if (!pending) return;
    if (!RETRY_LATER.has(code)) return this.forget(messageId);
    this.timer(() => {
      const still = this.saved.unacked.includes(pending);
      if (still && this.status === 'online') this.transmit({ type: 'message', ...pending });
    }, retryAfterMs ?? 2_000);
  }

  private closed(socket: SocketLike, code: number): void {
    if (socket !== this.socket) return;
    this.socket = null;
    if (code === REPLACED_CLOSE) return this.setStatus('replaced');
    if (code === UNAUTHORIZED_CLOSE && this.options.reauthorize) {
      this.setStatus('offline');
      void this.options.reauthorize().then(() => this.connect());
      return;
    }
    if (code === IDLE_CLOSE && this.saved.unacked.length === 0) return this.setStatus('idle');
    this.setStatus('offline');
    const wait = (this.options.backoffMs ?? defaultBackoff)(this.attempt++);
    this.timer(() => this.connect(), wait);
  }

  private transmit(frame: ClientChatFrame | ClientHandoffFrame): void {
    this.socket?.send(JSON.stringify(frame));
  }

  private forget(messageId: string): void {
    this.saved.unacked = this.saved.unacked.filter((m) => m.message_id !== messageId);
    this.save();
  }

  private save(): void {
    this.options.store.setItem(STORE_KEY, JSON.stringify(this.saved));
  }

  private setStatus(status: Status): void {
    if (status === this.status) return;
    this.status = status;
    this.options.onStatus(status);
  }

  private timer(run: () => void, ms: number): void {
    (this.options.setTimer ?? setTimeout)(run, ms);
  }
}

function load(store: KeyValueStore): Saved {
  try {
    const saved = JSON.parse(store.getItem(STORE_KEY) ?? 'null') as Saved | null;
    if (saved && typeof saved.lastSeq === 'number' && Array.isArray(saved.unacked)) return saved;
  } catch {
    // A damaged entry starts a new session rather than breaking the page.
  }
  return { lastSeq: 0, unacked: [] };
}

/** The server's frames are the gateway's own; anything without a type is ignored, not trusted. */
function parse(data: unknown): ServerFrameV2 | null {
  if (typeof data !== 'string') return null;
  try {
    const frame = JSON.parse(data) as ServerFrameV2;
    return frame && typeof frame === 'object' && typeof frame.type === 'string' ? frame : null;
  } catch {
    return null;
  }
}
