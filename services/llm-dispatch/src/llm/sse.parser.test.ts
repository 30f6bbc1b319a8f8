import { SseParser } from './sse.parser';

function parseAll(chunks: Array<Uint8Array | string>): string[] {
  const parser = new SseParser();
  const events = chunks.flatMap((chunk) => parser.feed(chunk));
  return [...events, ...parser.end()];
}

describe('SseParser', () => {
  const sample = 'data: {"content":"héllo 😀 wörld"}\r\n\r\n: keep-alive\r\ndata:€ second\r\n\r\ndata: [DONE]\n\n';
  const expected = ['{"content":"héllo 😀 wörld"}', '€ second', '[DONE]'];
  const bytes = Buffer.from(sample, 'utf8');

  it('reads a whole stream fed at once', () => {
    expect(parseAll([bytes])).toEqual(expected);
  });

  it('gives the same events when the bytes are split at any position', () => {
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      expect(parseAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(expected);
    }
  });

  it('gives the same events when fed one byte at a time', () => {
    const singleBytes = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(parseAll(singleBytes)).toEqual(expected);
  });

  it('gives the same events when split at every pair of positions', () => {
    for (let first = 0; first <= bytes.length; first += 3) {
      for (let second = first; second <= bytes.length; second += 5) {
        const parts = [bytes.subarray(0, first), bytes.subarray(first, second), bytes.subarray(second)];
        expect(parseAll(parts)).toEqual(expected);
      }
    }
  });

  it('treats CR, LF and CRLF as line ends, even with CR and LF in different chunks', () => {
    expect(parseAll(['data: a\r', '\n\r', '\ndata: b\r\r', 'data: c\n\n'])).toEqual(['a', 'b', 'c']);
  });

  it('accepts data with or without the space after the colon', () => {
    expect(parseAll(['data:x\n\ndata: y\n\ndata:  z\n\n'])).toEqual(['x', 'y', ' z']);
  });

  it('joins multi-line data with LF', () => {
    expect(parseAll(['data: line one\ndata: line two\ndata\n\n'])).toEqual(['line one\nline two\n']);
  });

  it('skips comments and fields other than data', () => {
    expect(parseAll([': ping\nevent: message\nid: 7\nretry: 1000\ndata: kept\n\n'])).toEqual(['kept']);
  });

  it('dispatches nothing for a blank line with no data, and an empty string for an empty data field', () => {
    expect(parseAll(['\n\n: only a comment\n\ndata:\n\n'])).toEqual(['']);
  });

  it('drops an event cut off before its blank line', () => {
    expect(parseAll(['data: complete\n\ndata: {"trunc'])).toEqual(['complete']);
  });

  it('strips a leading byte order mark', () => {
    expect(parseAll([Buffer.from('\uFEFFdata: first\n\n', 'utf8')])).toEqual(['first']);
  });
});
