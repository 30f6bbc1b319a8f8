import type WebSocket from 'ws';

/** Who holds a session's sockets on this gateway: one account (any number of sockets) or anonymous (one). */
interface Holders {
  accountId: string | null;
  sockets: Set<WebSocket>;
}

/** `evict`: the sockets a newcomer replaces (an anonymous session moves to its newest socket). */
export type Admission = { admitted: true; evict: WebSocket[] } | { admitted: false };

/**
 * The sessions held here and by whom. An account's tabs and devices share its session, each
 * socket receiving every frame; an anonymous session keeps only its newest socket, as before
 * accounts (the session id is then the only credential). A socket of another identity is not
 * admitted: it cannot take over, or listen to, a session held here.
 */
export class SessionHolders {
  private readonly sessions = new Map<string, Holders>();

  admit(sessionId: string, accountId: string | null, ws: WebSocket): Admission {
    const holders = this.sessions.get(sessionId);
    if (!holders) {
      this.sessions.set(sessionId, { accountId, sockets: new Set([ws]) });
      return { admitted: true, evict: [] };
    }
    if (holders.accountId !== accountId) return { admitted: false };
    const evict = accountId === null ? [...holders.sockets] : [];
    for (const socket of evict) holders.sockets.delete(socket);
    holders.sockets.add(ws);
    return { admitted: true, evict };
  }

  release(sessionId: string, ws: WebSocket): void {
    const holders = this.sessions.get(sessionId);
    if (!holders?.sockets.delete(ws) || holders.sockets.size > 0) return;
    this.sessions.delete(sessionId);
  }

  get size(): number {
    return this.sessions.size;
  }
}
