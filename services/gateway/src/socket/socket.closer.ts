import WebSocket from 'ws';
import type { GatewayMetrics } from '../gateway.metrics';

/** Why a socket closed: `client` when the peer closed it or vanished, else the gateway's reason. */
export type CloseReason =
  | 'client'
  | 'idle'
  | 'slow_reader'
  | 'missed_pong'
  | 'too_large'
  | 'protocol_error'
  | 'resumed'
  | 'shutdown'
  | 'setup_failed'
  | 'token_expired'
  | 'credential_revoked'
  | 'session_refused'
  | 'session_check_failed';

/** How long a peer has to answer our close frame before the connection is cut. */
const CLOSE_WAIT_MS = 2_000;

/** Codes ws itself closes with after a frame it refuses (it closes before telling us). */
const PROTOCOL_ERRORS: Record<string, [CloseReason, number]> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: ['too_large', 1009],
  WS_ERR_INVALID_UTF8: ['protocol_error', 1007],
};

/**
 * Closes one socket once and counts it under the first reason that applied. Its owner passes on
 * the socket's close event (`ended`): one listener per socket, not one more here.
 */
export class SocketCloser {
  private reason?: CloseReason;
  private hasEnded = false;
  /** Made when first awaited: most sockets are never closed by the gateway. */
  private waiting?: { promise: Promise<void>; resolve(): void };

  constructor(
    private readonly ws: WebSocket,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Settles once the socket has closed. */
  get closed(): Promise<void> {
    if (this.hasEnded) return Promise.resolve();
    if (!this.waiting) {
      let resolve!: () => void;
      const promise = new Promise<void>((settle) => (resolve = settle));
      this.waiting = { promise, resolve };
    }
    return this.waiting.promise;
  }

  /** The socket's close event: counted as the client's unless the gateway had a reason. */
  ended(code: number): void {
    if (this.hasEnded) return;
    this.hasEnded = true;
    this.record('client', code);
    this.waiting?.resolve();
  }

  /**
   * The close frame queues behind whatever the socket still has to send; a peer that has not
   * answered it within CLOSE_WAIT_MS (a slow reader never will) is cut off.
   */
  close(reason: CloseReason, code: number, text: string): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN || !this.record(reason, code)) return this.closed;
    this.ws.close(code, text);
    this.cutAfterWait();
    return this.closed;
  }

  /** No close frame: for a peer that is gone or does not read (1006 on its side, if it ever looks). */
  terminate(reason: CloseReason): void {
    if (this.ws.readyState === WebSocket.CLOSED || !this.record(reason, 1006)) return;
    this.ws.terminate();
  }

  /** ws already closes the socket on a frame it refuses; names the reason. Undefined for I/O errors. */
  protocolError(error: Error & { code?: string }): CloseReason | undefined {
    if (!error.code?.startsWith('WS_ERR_')) return undefined;
    const [reason, code] = PROTOCOL_ERRORS[error.code] ?? ['protocol_error', 1002];
    if (this.record(reason, code)) this.cutAfterWait();
    return reason;
  }

  private cutAfterWait(): void {
    const cut = setTimeout(() => this.ws.terminate(), CLOSE_WAIT_MS);
    void this.closed.then(() => clearTimeout(cut));
  }

  private record(reason: CloseReason, code: number): boolean {
    if (this.reason) return false;
    this.reason = reason;
    this.metrics.closed(reason, String(code));
    return true;
  }
}
