import WebSocket, { type RawData } from 'ws';
import { ServerFrameV2 } from '@chatbot/proto';
import { SessionLedger, type SentMessage } from './session.ledger';

export interface V2ClientOptions {
  /** The gateway's chat URL (`ws://…/api/chat/ws`), read again at every reconnect. */
  url: () => string;
  /** A message with no `stored` after this long is sent again (same message_id). */
  resendAfterMs?: number;
  /** Resend delay after the gateway said the broker did not take a message (E5006). */
  retryAfterRefusalMs?: number;
  /** Sends per message, first one included, after which the client gives the message up. */
  maxSends?: number;
  /** Reconnecting stops after the session has been away this long, or after this many tries. */
  reconnectForMs?: number;
  maxReconnects?: number;
  /** Resume at once when a durable frame arrives with earlier seqs missing (the protocol's way to get them). */
  healGaps?: boolean;
}

const RESEND_TICK_MS = 200;
const MAX_BACKOFF_MS = 2_000;

/**
 * A protocol-v2 chat client that keeps its promises to the user: it resends a message (same
 * message_id) until `stored`, reconnects after a drop and resumes with its session id and the
 * last seq it holds without gaps, and records every frame in its SessionLedger.
 */
export class V2Client {
  readonly ledger = new SessionLedger();
  sessionId?: string;
  /** Every session frame: the first one, then one per resume. */
  readonly sessions: Array<{ at: number; resumed: boolean; sessionId: string }> = [];
  /** Sockets lost after their session frame, and failed connection attempts. */
  readonly drops: Array<{ at: number; code: number }> = [];
  connectFailures = 0;
  /** The gateway answered a resume with another session id. */
  sessionChanges = 0;
  gaveUp = false;
  private ws: WebSocket | null = null;
  private ready = false;
  private closing = false;
  private readonly unstored = new Set<SentMessage>();
  private resendTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private downSince?: number;
  private backoffMs = 100;
  private attempts = 0;

  constructor(
    readonly name: string,
    private readonly options: V2ClientOptions,
  ) {}

  get connected(): boolean {
    return this.ready;
  }

  /** Opens the session; resolves once its session frame arrived, false when it did not in time. */
  async start(timeoutMs = 30_000): Promise<boolean> {
    this.resendTimer = setInterval(() => this.resendDue(), RESEND_TICK_MS);
    this.connect();
    const deadline = Date.now() + timeoutMs;
    while (!this.ready && !this.gaveUp && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.ready;
  }

  send(text: string, id: string): SentMessage {
    const now = Date.now();
    const message = this.ledger.add(id, text, now);
    this.unstored.add(message);
    if (this.ready) this.transmit(message, now);
    return message;
  }

  /** Sends a message again (same id) even though it was stored: what a client that missed `stored` would do. */
  resendNow(id: string): boolean {
    const message = this.ledger.messages.get(id);
    if (!message || !this.ready || this.ws?.readyState !== WebSocket.OPEN) return false;
    message.sends++;
    this.ws.send(JSON.stringify({ type: 'message', message_id: id, message: message.text, sender: 'user', timestamp: new Date().toISOString() }));
    return true;
  }

  /** Asks for a person on this socket (`{"type":"handoff"}`); false while it is not open. */
  askForPerson(): boolean {
    if (!this.ready || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ type: 'handoff' }));
    return true;
  }

  /** Cuts the TCP connection without a close frame, as a network failure would. */
  drop(): void {
    this.ws?.terminate();
  }

  close(): void {
    this.closing = true;
    clearInterval(this.resendTimer);
    clearTimeout(this.reconnectTimer);
    this.ws?.terminate();
    this.ws = null;
    this.ready = false;
  }

  private connect(): void {
    if (this.closing) return;
    const ws = new WebSocket(this.connectUrl(), { handshakeTimeout: 10_000, perMessageDeflate: false });
    this.ws = ws;
    this.ready = false;
    ws.on('message', (data, isBinary) => this.onMessage(ws, data, isBinary));
    ws.on('error', () => undefined); // 'close' follows and decides
    ws.on('close', (code) => this.onClose(ws, code));
  }

  private connectUrl(): string {
    const base = this.options.url();
    if (!this.sessionId) return `${base}?protocol=2`;
    return `${base}?protocol=2&session_id=${this.sessionId}&last_seq=${this.ledger.contiguousSeq}`;
  }

  private onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (ws !== this.ws) return;
    const frame = parseFrame(data, isBinary);
    if (!frame) {
      this.ledger.malformed++;
      return;
    }
    const now = Date.now();
    if (frame.type === 'session') return this.onSession(frame, now);
    const effect = this.ledger.onFrame(frame, now, this.options.retryAfterRefusalMs ?? 500);
    if (effect === 'gap' && (this.options.healGaps ?? true)) ws.terminate();
  }

  private onSession(frame: Extract<ServerFrameV2, { type: 'session' }>, now: number): void {
    if (this.sessionId !== undefined && frame.session_id !== this.sessionId) this.sessionChanges++;
    this.sessionId = frame.session_id;
    this.sessions.push({ at: now, resumed: frame.resumed, sessionId: frame.session_id });
    this.ready = true;
    this.attempts = 0;
    this.backoffMs = 100;
    this.downSince = undefined;
    // A new socket: whatever is not stored yet goes again on it.
    for (const message of this.unstored) this.transmit(message, now);
  }

  private onClose(ws: WebSocket, code: number): void {
    if (ws !== this.ws) return;
    const now = Date.now();
    if (this.ready) this.drops.push({ at: now, code });
    else this.connectFailures++;
    this.ws = null;
    this.ready = false;
    if (this.closing) return;
    this.downSince ??= now;
    if (now - this.downSince > (this.options.reconnectForMs ?? 120_000) || ++this.attempts > (this.options.maxReconnects ?? 1_000)) {
      this.gaveUp = true;
      return;
    }
    const delay = this.backoffMs / 2 + Math.random() * (this.backoffMs / 2);
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private resendDue(): void {
    if (!this.ready) return;
    const now = Date.now();
    for (const message of this.unstored) if (now >= message.resendAt) this.transmit(message, now);
  }

  private transmit(message: SentMessage, now: number): void {
    if (message.storedAt !== undefined || message.replies.length > 0) return void this.unstored.delete(message);
    if (message.sends >= (this.options.maxSends ?? 200)) return void this.unstored.delete(message);
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    message.sends++;
    message.lastSentAt = now;
    message.resendAt = now + (this.options.resendAfterMs ?? 3_000);
    const frame = { type: 'message', message_id: message.id, message: message.text, sender: 'user', timestamp: new Date(now).toISOString() };
    this.ws.send(JSON.stringify(frame));
  }
}

function parseFrame(data: RawData, isBinary: boolean): ServerFrameV2 | null {
  if (isBinary) return null;
  try {
    const result = ServerFrameV2.safeParse(JSON.parse(data.toString()));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}
