import type { AttachmentType } from '@chatbot/proto';

/** Bytes a type is recognised by: enough for every signature below. */
export const SNIFF_BYTES = 16;

const startsWith = (head: Uint8Array, bytes: number[], at = 0) => bytes.every((byte, i) => head[at + i] === byte);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** Magic numbers of the allowed binary types (their published signatures). */
const signatures: Array<{ type: AttachmentType; matches: (head: Uint8Array) => boolean }> = [
  { type: 'image/png', matches: (h) => startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: 'image/jpeg', matches: (h) => startsWith(h, [0xff, 0xd8, 0xff]) },
  { type: 'image/gif', matches: (h) => startsWith(h, ascii('GIF87a')) || startsWith(h, ascii('GIF89a')) },
  { type: 'image/webp', matches: (h) => startsWith(h, ascii('RIFF')) && startsWith(h, ascii('WEBP'), 8) },
  { type: 'application/pdf', matches: (h) => startsWith(h, ascii('%PDF-')) },
];

/**
 * The type of a file from its first bytes (at least SNIFF_BYTES, or the whole file when shorter),
 * or null when it is none of the allowed ones. Anything that is not a known binary signature is
 * text only if it looks like text here; `TextCheck` then checks the rest as it streams.
 */
export function sniffType(head: Uint8Array): AttachmentType | null {
  const binary = signatures.find((signature) => signature.matches(head));
  if (binary) return binary.type;
  return new TextCheck().accepts(head) ? 'text/plain' : null;
}

/**
 * Plain text is UTF-8 (a BOM allowed) with no control characters but tab, line feed, carriage
 * return and form feed: an executable or an archive renamed `.txt` fails on its first NUL byte.
 * Fed chunk by chunk, so a character split across chunks is still judged whole.
 */
export class TextCheck {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  accepts(chunk: Uint8Array): boolean {
    try {
      return !CONTROL.test(this.decoder.decode(chunk, { stream: true }));
    } catch {
      return false;
    }
  }

  /** The end of the file: false when it stops in the middle of a character. */
  finish(): boolean {
    try {
      this.decoder.decode();
      return true;
    } catch {
      return false;
    }
  }
}

// eslint-disable-next-line no-control-regex -- the control characters are what this looks for
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;
