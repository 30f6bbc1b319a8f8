import { createHash } from 'node:crypto';
import type { AttachmentType } from '@chatbot/proto';
import { AppError } from '@chatbot/runtime';
import { SNIFF_BYTES, sniffType, TextCheck } from './content.sniff';

/** What the bytes of an upload turned out to be, known once they all went through. */
export interface Inspection {
  size: number;
  sha256: string;
  contentType: AttachmentType;
}

/**
 * Passes a file's bytes on as they arrive, and refuses it the moment it breaks a rule: past
 * `maxBytes` (E4040), a type outside the allow-list by its first bytes or text that stops being
 * text (E4041), nothing at all (E4042). The refusal is thrown into whoever reads the chunks (the
 * object store's put, which then removes what it wrote), so reading stops right there.
 */
export function inspect(source: AsyncIterable<Uint8Array>, maxBytes: number): { chunks: AsyncIterable<Uint8Array>; result(): Inspection } {
  let outcome: Inspection | undefined;
  async function* chunks(): AsyncIterable<Uint8Array> {
    const hash = createHash('sha256');
    let size = 0;
    let head: Buffer[] = [];
    let type: AttachmentType | null = null;
    let text: TextCheck | null = null;
    const admit = (chunk: Uint8Array) => {
      size += chunk.length;
      if (size > maxBytes) throw new AppError('E4040');
      if (text && !text.accepts(chunk)) throw new AppError('E4041');
      hash.update(chunk);
    };
    const decide = () => {
      const first = Buffer.concat(head);
      type = sniffType(first.subarray(0, SNIFF_BYTES));
      if (!type) throw new AppError('E4041');
      if (type === 'text/plain') text = new TextCheck();
      head = [];
      admit(first);
      return first;
    };
    for await (const chunk of source) {
      if (type) {
        admit(chunk);
        yield chunk;
        continue;
      }
      head.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if (head.reduce((n, b) => n + b.length, 0) >= SNIFF_BYTES) yield decide();
    }
    if (!type) {
      if (head.length === 0 || Buffer.concat(head).length === 0) throw new AppError('E4042');
      yield decide();
    }
    if (text && !(text as TextCheck).finish()) throw new AppError('E4041');
    outcome = { size, sha256: hash.digest('hex'), contentType: type! };
  }
  return {
    chunks: chunks(),
    result() {
      if (!outcome) throw new Error('the upload was not read to its end');
      return outcome;
    },
  };
}
