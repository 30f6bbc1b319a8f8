import type { JetStreamManager } from '@nats-io/jetstream';
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

export function objectBucketOf(os: NatsObjectStore, jsm: JetStreamManager, bucket: string): ObjectBucket {
  return {
    async put(name, source) {
      const info = await os.put({ name }, readableFrom(source));
      return { size: info.size };
    },
    async get(name) {
      const result = await os.get(name);
      if (!result) return null;
      return { size: result.info.size, data: checked(result.data, result.error) };
    },
    async delete(name) {
      if (!(await os.info(name))) return false;
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

/** The read stream, then the client's verdict on it: a read cut short throws instead of ending early. */
async function* checked(data: ReadableStream<Uint8Array>, error: Promise<Error | null>): AsyncIterable<Uint8Array> {
  for await (const chunk of data as unknown as AsyncIterable<Uint8Array>) yield chunk;
  const failure = await error;
  if (failure) throw failure;
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
