import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { ApiKeyLookup } from './api-key.lookup';

/**
 * The sockets opened with each API key. A key is verified at the upgrade only, so a revoked key's
 * sockets would stay open for good: `recheck` asks persona about every key in use (one request per
 * key, not per socket) and answers the sockets whose key it now refuses. Run every
 * API_KEY_CACHE_SECONDS, a revocation closes sockets as soon as it stops REST calls.
 */
export class ApiKeySockets {
  private readonly byKey = new Map<string, Set<WebSocket>>();
  private readonly keyOf = new Map<WebSocket, string>();

  add(key: string, ws: WebSocket): void {
    const sockets = this.byKey.get(key) ?? new Set<WebSocket>();
    sockets.add(ws);
    this.byKey.set(key, sockets);
    this.keyOf.set(ws, key);
  }

  remove(ws: WebSocket): void {
    const key = this.keyOf.get(ws);
    if (key === undefined) return;
    this.keyOf.delete(ws);
    const sockets = this.byKey.get(key);
    sockets?.delete(ws);
    if (sockets?.size === 0) this.byKey.delete(key);
  }

  /**
   * The sockets of keys persona now refuses. A key persona could not be asked about keeps its
   * sockets (an outage closes nothing) and is counted in `unchecked`.
   */
  async recheck(lookup: ApiKeyLookup): Promise<{ refused: WebSocket[]; unchecked: number }> {
    const refused: WebSocket[] = [];
    let unchecked = 0;
    for (const [key, sockets] of [...this.byKey]) {
      const verdict = await lookup.verify(key, randomUUID(), { fresh: true }).catch(() => undefined);
      if (verdict === undefined) unchecked += 1;
      else if (verdict === null) refused.push(...sockets);
    }
    return { refused, unchecked };
  }
}
