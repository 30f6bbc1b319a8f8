import { randomUUID } from 'node:crypto';
import { every, type Logger, type Periodic } from '@chatbot/runtime';
import type { ApiKeyLookup } from './api-key.lookup';

/**
 * The open sockets of each API key, chat and agents' sockets alike. A key is verified at the
 * upgrade only, so a revoked key's sockets would stay open for good: every `intervalMs`
 * (API_KEY_CACHE_SECONDS) persona is asked about every key in use (one request per key, not per
 * socket) and the sockets of a key it now refuses are closed. A key persona could not be asked
 * about keeps its sockets (an outage closes nothing); `every` warns about it.
 */
export class ApiKeySockets {
  private readonly byKey = new Map<string, Map<object, () => void>>();
  private readonly keyOf = new Map<object, string>();
  private readonly recheck: Periodic;

  constructor(private readonly lookup: ApiKeyLookup, intervalMs: number, logger: Logger) {
    this.recheck = every('API key recheck', intervalMs, logger, () => this.closeRevoked());
  }

  /** `socket` was opened with `key`; `close` ends it when the key is revoked. */
  add(key: string, socket: object, close: () => void): void {
    const sockets = this.byKey.get(key) ?? new Map<object, () => void>();
    sockets.set(socket, close);
    this.byKey.set(key, sockets);
    this.keyOf.set(socket, key);
  }

  remove(socket: object): void {
    const key = this.keyOf.get(socket);
    if (key === undefined) return;
    this.keyOf.delete(socket);
    const sockets = this.byKey.get(key);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.byKey.delete(key);
  }

  stop(): Promise<void> {
    return this.recheck.stop();
  }

  private async closeRevoked(): Promise<void> {
    let unchecked = 0;
    for (const [key, sockets] of [...this.byKey]) {
      const verdict = await this.lookup.verify(key, randomUUID(), { fresh: true }).catch(() => undefined);
      if (verdict === undefined) unchecked += 1;
      else if (verdict === null) for (const close of [...sockets.values()]) close();
    }
    if (unchecked > 0) throw new Error(`${unchecked} API key(s) could not be checked again; their sockets stay open`);
  }
}
