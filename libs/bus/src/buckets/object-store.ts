import { createHash } from 'node:crypto';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { ObjectStore as NatsObjectStore } from '@nats-io/obj';

/** One stored object, read as it streams out of the bucket. */
export interface StoredObject {
  size: number;
  /** The bytes, chunk by chunk; the iteration throws when the bucket fails mid-read. */
  data: AsyncIterable<Uint8Array>;
}

/**
 * A JetStream object-store bucket as services use it (the client's bucket object stays inside
 * libs/bus). Objects are written from a stream and read as one: no object is held whole in memory.
 */
export interface ObjectBucket {
  /**
   * Writes `source` under `name`, chunk by chunk, as it arrives. When `source` throws (a client
   * cut off, a limit passed), the put rejects with that error and no chunk of it stays behind.
   */
  put(name: string, source: AsyncIterable<Uint8Array>): Promise<{ size: number }>;
  /** The object, or null when there is none under that name. */
  get(name: string): Promise<StoredObject | null>;
  /** Removes the object and its chunks; false when there was none. */
  delete(name: string): Promise<boolean>;
  /**
   * Purges chunks no object names whose newest chunk is older than `olderThanMs`: what a writer
   * left when its process died mid-put (a put in progress keeps writing, so it is never older).
   * Returns how many such uploads were purged.
   */
  purgeOrphanChunks(olderThanMs: number): Promise<number>;
  /** Objects, and the bytes the bucket's stream holds (chunks and metadata). */
  usage(): Promise<{ objects: number; bytes: number }>;
}

/** Where the bucket's stream keeps what: `$O.<bucket>.C.<nuid>` chunks, `$O.<bucket>.M.<name>` metadata. */
const chunkPrefix = (bucket: string) => `$O.${bucket}.C.`;
const streamOf = (bucket: string) => `OBJ_${bucket}`;

/** How long one chunk of a read may take to arrive. */
const CHUNK_WAIT_MS = 5_000;

export function objectBucketOf(os: NatsObjectStore, js: JetStreamClient, jsm: JetStreamManager, bucket: string): ObjectBucket {
  return {
    async put(name, source) {
      const info = await os.put({ name }, readableFrom(source));
      return { size: info.size };
    },
    async get(name) {
      const info = await os.info(name);
      if (!info || info.deleted) return null;
      return { size: info.size, data: readChunks(js, bucket, `${chunkPrefix(bucket)}${info.nuid}`, info.chunks, info.digest) };
    },
    async delete(name) {
      const info = await os.info(name);
      if (!info || info.deleted) return false;
      await os.delete(name);
      return true;
    },
    purgeOrphanChunks: (olderThanMs) => purgeOrphans(os, jsm, bucket, olderThanMs),
    async usage() {
      const [objects, stream] = await Promise.all([os.list(), jsm.streams.info(streamOf(bucket))]);
      return { objects: objects.length, bytes: stream.state.bytes };
    },
  };
}

/**
 * A pull-based web stream over `source`: the bucket asks for the next chunk only once it has
 * published the last one, so a fast client cannot make us buffer ahead of the broker.
 */
function readableFrom(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        await iterator.return?.(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * An object's chunks, pulled one at a time by an ordered consumer as the reader asks for them: a
 * slow reader (a download over a slow link) holds one chunk here, not the object. (The client's
 * own get pushes every chunk into an unbounded stream.) The digest the bucket stored is checked
 * at the end, so a corrupt object fails its read instead of ending quietly.
 */
async function* readChunks(js: JetStreamClient, bucket: string, subject: string, count: number, digest: string): AsyncIterable<Uint8Array> {
  if (count === 0) return;
  const consumer = await js.consumers.get(streamOf(bucket), { filter_subjects: subject });
  const hash = createHash('sha256');
  try {
    for (let i = 0; i < count; i += 1) {
      const msg = await consumer.next({ expires: CHUNK_WAIT_MS });
      if (!msg) throw new Error(`object store: chunk ${i + 1} of ${count} did not arrive`);
      hash.update(msg.data);
      yield msg.data;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  // The bucket writes `SHA-256=<padded base64url>`.
  if (!hash.digest().equals(Buffer.from(digest.replace(/^SHA-256=/, ''), 'base64url'))) {
    throw new Error('object store: the object read does not match its digest');
  }
}

async function purgeOrphans(os: NatsObjectStore, jsm: JetStreamManager, bucket: string, olderThanMs: number): Promise<number> {
  const stream = streamOf(bucket);
  const prefix = chunkPrefix(bucket);
  const [objects, info] = await Promise.all([os.list(), jsm.streams.info(stream, { subjects_filter: `${prefix}>` })]);
  const named = new Set(objects.map((object) => object.nuid));
  const cutoff = Date.now() - olderThanMs;
  let purged = 0;
  for (const subject of Object.keys(info.state.subjects ?? {})) {
    if (named.has(subject.slice(prefix.length))) continue;
    const last = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    if (last && last.time.getTime() > cutoff) continue;
    await jsm.streams.purge(stream, { filter: subject });
    purged++;
  }
  return purged;
}
