import { createHash } from 'node:crypto';
import { inspect } from './upload.inspector';

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(24).fill(7)]);

async function* pieces(data: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

async function drain(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of chunks) out.push(Buffer.from(chunk));
  return Buffer.concat(out);
}

test('passes every byte through, in order, with its size, hash and sniffed type, whatever the chunking', async () => {
  for (const size of [1, 3, 16, 1000]) {
    const inspection = inspect(pieces(png, size), png.length);
    expect(await drain(inspection.chunks)).toEqual(png);
    expect(inspection.result()).toEqual({ size: png.length, sha256: createHash('sha256').update(png).digest('hex'), contentType: 'image/png' });
  }
});

test('refuses one byte past the limit, and takes a file exactly at it', async () => {
  await expect(drain(inspect(pieces(png, 5), png.length - 1).chunks)).rejects.toMatchObject({ code: 'E4040' });
  await expect(drain(inspect(pieces(png, 5), png.length).chunks)).resolves.toHaveLength(png.length);
});

test('refuses an empty file, a disallowed type, and text that turns binary later', async () => {
  await expect(drain(inspect(pieces(Buffer.alloc(0), 1), 100).chunks)).rejects.toMatchObject({ code: 'E4042' });
  await expect(drain(inspect(pieces(Buffer.from('MZ\x90\x00 this is an exe'), 4), 100).chunks)).rejects.toMatchObject({ code: 'E4041' });
  const lying = Buffer.concat([Buffer.from('plain text at first, '.repeat(10)), Buffer.from([0, 1, 2])]);
  await expect(drain(inspect(pieces(lying, 50), 1000).chunks)).rejects.toMatchObject({ code: 'E4041' });
});

test('takes a text file shorter than the sniffed head', async () => {
  const inspection = inspect(pieces(Buffer.from('hi'), 1), 100);
  expect((await drain(inspection.chunks)).toString()).toBe('hi');
  expect(inspection.result().contentType).toBe('text/plain');
});
