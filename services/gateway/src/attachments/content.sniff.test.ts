import { sniffType, TextCheck } from './content.sniff';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (value: string) => new TextEncoder().encode(value);

test('recognises each allowed binary type by its magic number', () => {
  expect(sniffType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13))).toBe('image/png');
  expect(sniffType(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 16))).toBe('image/jpeg');
  expect(sniffType(text('GIF89a\x01\x00'))).toBe('image/gif');
  expect(sniffType(text('RIFF\x24\x00\x00\x00WEBPVP8 '))).toBe('image/webp');
  expect(sniffType(text('%PDF-1.7\n'))).toBe('application/pdf');
});

test('takes UTF-8 text, Korean and a BOM included, as plain text', () => {
  expect(sniffType(text('\ufeff카드 결제가 안 돼요\r\n\tline two'))).toBe('text/plain');
});

test('refuses an executable whatever it is named, and other binaries', () => {
  expect(sniffType(text('MZ\x90\x00\x03\x00\x00\x00'))).toBeNull(); // a Windows .exe
  expect(sniffType(bytes(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0))).toBeNull(); // ELF
  expect(sniffType(bytes(0x50, 0x4b, 0x03, 0x04, 20, 0))).toBeNull(); // zip
  expect(sniffType(bytes(0xc3, 0x28, 0x41))).toBeNull(); // not UTF-8
});

test('judges text across chunks, a character split between two included', () => {
  const check = new TextCheck();
  const encoded = text('상담');
  expect(check.accepts(encoded.subarray(0, 2))).toBe(true);
  expect(check.accepts(encoded.subarray(2))).toBe(true);
  expect(check.finish()).toBe(true);
  const cut = new TextCheck();
  expect(cut.accepts(encoded.subarray(0, 2))).toBe(true);
  expect(cut.finish()).toBe(false);
  expect(new TextCheck().accepts(text('fine so far\u0000then binary'))).toBe(false);
});
