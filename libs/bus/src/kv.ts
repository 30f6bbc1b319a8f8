import type { KV } from '@nats-io/kv';

/** A live entry of a key-value bucket: its text and the revision a compare-and-set names. */
export interface KvEntry {
  value: string;
  revision: number;
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
  };
}
