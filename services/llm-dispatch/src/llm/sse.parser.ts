/**
 * Incremental Server-Sent-Events parser (WHATWG "event stream interpretation"), reduced to what
 * chat streams use: it returns the `data` of each complete event. Chunks may be split anywhere,
 * including inside a UTF-8 character or between the CR and LF of one line break.
 */
export class SseParser {
  // `stream: true` keeps a partial multi-byte character until its remaining bytes arrive.
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';
  private dataLines: string[] = [];
  // A chunk ending in CR may be followed by the LF of the same line break.
  private skipLeadingLf = false;

  /** Feeds one chunk; returns the data of every event it completed, in order. */
  feed(chunk: Uint8Array | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.consume(text);
  }

  /** Call at end of stream. An event without its closing blank line is dropped, as the spec says. */
  end(): string[] {
    const events = this.consume(this.decoder.decode());
    this.pending = '';
    this.dataLines = [];
    return events;
  }

  private consume(text: string): string[] {
    if (this.skipLeadingLf && text.length > 0) {
      if (text.startsWith('\n')) text = text.slice(1);
      this.skipLeadingLf = false;
    }
    // `pending` holds no line break, so scanning starts at the new text.
    const input = this.pending + text;
    const breaks = new LineBreakFinder(input, this.pending.length);
    const events: string[] = [];
    let start = 0;
    for (let at = breaks.next(); at >= 0; at = breaks.next()) {
      this.processLine(input.slice(start, at), events);
      start = at + 1;
      if (input[at] === '\r') {
        if (start === input.length) this.skipLeadingLf = true;
        else if (input[start] === '\n') start += 1;
      }
      breaks.skipTo(start);
    }
    this.pending = input.slice(start);
    return events;
  }

  private processLine(line: string, events: string[]): void {
    if (line === '') {
      if (this.dataLines.length > 0) events.push(this.dataLines.join('\n'));
      this.dataLines = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    const value = colon < 0 ? '' : line.slice(colon + 1);
    this.dataLines.push(value.startsWith(' ') ? value.slice(1) : value);
  }
}

/** Finds CR or LF positions, scanning each character class at most once (long lines stay linear). */
class LineBreakFinder {
  private cr = -1;
  private lf = -1;

  constructor(
    private readonly text: string,
    private from: number,
  ) {}

  skipTo(position: number): void {
    this.from = position;
  }

  next(): number {
    if (this.cr < this.from && this.cr !== Infinity) this.cr = orInfinity(this.text.indexOf('\r', this.from));
    if (this.lf < this.from && this.lf !== Infinity) this.lf = orInfinity(this.text.indexOf('\n', this.from));
    const at = Math.min(this.cr, this.lf);
    return at === Infinity ? -1 : at;
  }
}

function orInfinity(index: number): number {
  return index < 0 ? Infinity : index;
}
