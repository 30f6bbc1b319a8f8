import type WebSocket from 'ws';

/**
 * Who holds a session's sockets on this gateway: one account (any number of sockets) or anonymous
 * (one). One socket is held as is, several in a Set: most sessions have one, and a Set costs about 180 bytes.
 */
interface Holders {
  accountId: string | null;
  sockets: WebSocket | Set<WebSocket>;
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
      this.sessions.set(sessionId, { accountId, sockets: ws });
      return { admitted: true, evict: [] };
    }
    if (holders.accountId !== accountId) return { admitted: false };
    const held = socketsOf(holders);
    // An anonymous session moves to its newest socket; an account's sockets all stay.
    if (accountId === null) {
      holders.sockets = ws;
      return { admitted: true, evict: held };
    }
    holders.sockets = new Set([...held, ws]);
    return { admitted: true, evict: [] };
  }

  release(sessionId: string, ws: WebSocket): void {
    const holders = this.sessions.get(sessionId);
    if (!holders) return;
    const left = socketsOf(holders).filter((socket) => socket !== ws);
    if (left.length === socketsOf(holders).length) return;
    if (left.length === 0) this.sessions.delete(sessionId);
    else holders.sockets = left.length === 1 ? left[0]! : new Set(left);
  }

  get size(): number {
    return this.sessions.size;
  }
}

function socketsOf(holders: Holders): WebSocket[] {
  return holders.sockets instanceof Set ? [...holders.sockets] : [holders.sockets];
}
