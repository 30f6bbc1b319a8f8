import type WebSocket from 'ws';
import type { SocketCloser } from './socket.closer';

export interface Peer {
  readonly ws: WebSocket;
  readonly closer: SocketCloser;
  /** Set by the peer's pong. */
  alive: boolean;
}

/**
 * Pings every peer each interval; a peer whose pong to the previous ping has not come back is
 * cut off (a half-open connection never answers and would hold its session forever).
 */
export function startHeartbeat(intervalMs: number, peers: () => Iterable<Peer>): () => void {
  const timer = setInterval(() => {
    for (const peer of peers()) {
      if (!peer.alive) {
        peer.closer.terminate('missed_pong');
        continue;
      }
      peer.alive = false;
      peer.ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
