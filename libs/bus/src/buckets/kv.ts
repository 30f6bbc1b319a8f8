import type { KV, KvEntry as StoredEntry } from '@nats-io/kv';

/** A live entry of a key-value bucket: its text and the revision a compare-and-set names. */
export interface KvEntry {
  value: string;
  revision: number;
}

/** What a watcher is told: the key's live entry, or null (never written, deleted, purged), with the bucket revision. */
export type KvChange = { entry: KvEntry | null; revision: number };

export interface KvWatch {
  stop(): void;
}

/** A JetStream key-value bucket, as services use it (the client's bucket object stays inside libs/bus). */
export interface KeyValue {
  /** The live entry, or null when the key was never written, was deleted or has expired. */
  get(key: string): Promise<KvEntry | null>;
  /** Writes a key that must not exist yet (rejects when it does); returns the revision. */
  create(key: string, value: string): Promise<number>;
  /** Writes a key only if it is still at `revision` (rejects when another writer came first). */
  update(key: string, value: string, revision: number): Promise<number>;
  /** Writes a key whatever it holds. */
  put(key: string, value: string): Promise<number>;
  /** Deletes a key (a watcher is told null). */
  delete(key: string): Promise<void>;
  /**
   * Tells `listener` the key's value now (before the promise resolves) and then every change, in
   * revision order and each revision once, until stopped. The broker pushes changes: a write is
   * seen within milliseconds, and the watch follows the connection through reconnects.
   */
  watch(key: string, listener: (change: KvChange) => void): Promise<KvWatch>;
}

export function keyValueOf(kv: KV): KeyValue {
  return {
    async get(key) {
      const entry = await kv.get(key);
      return entry?.operation === 'PUT' ? { value: entry.string(), revision: entry.revision } : null;
    },
    create: (key, value) => kv.create(key, value),
    update: (key, value, revision) => kv.update(key, value, revision),
    put: (key, value) => kv.put(key, value),
    delete: (key) => kv.delete(key),
    watch: (key, listener) => watchKey(kv, key, listener),
  };
}

/**
 * Starts the watch first and reads the key second, so no write falls between the two; what both
 * report is passed on once (the highest revision seen so far filters the rest).
 */
async function watchKey(kv: KV, key: string, listener: (change: KvChange) => void): Promise<KvWatch> {
  let seen = 0;
  const tell = (change: KvChange) => {
    if (change.revision <= seen) return;
    seen = change.revision;
    listener(change);
  };
  const updates = await kv.watch({ key });
  // The client's watcher follows reconnects itself; it ends (and this loop with it) when stopped or
  // when the connection is closed for good, which is no error of the caller's.
  void (async () => {
    for await (const entry of updates) tell(changeOf(entry));
  })().catch(() => undefined);
  const now = await kv.get(key);
  if (now) tell(changeOf(now));
  else if (seen === 0) listener({ entry: null, revision: 0 });
  return { stop: () => updates.stop() };
}

function changeOf(entry: StoredEntry): KvChange {
  const live = entry.operation === 'PUT' ? { value: entry.string(), revision: entry.revision } : null;
  return { entry: live, revision: entry.revision };
}
