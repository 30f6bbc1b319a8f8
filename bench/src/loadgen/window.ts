import { Histogram } from '../stats/histogram';
import type { LoadResult } from './protocol';

/** The measurement window of one generator and everything counted in it. */
export class Window {
  private startsAt = Infinity;
  private endsAt = Infinity;
  readonly latency = new Histogram();
  readonly ttft = new Histogram();
  /** Time from send to each progress frame of protocol v2 (accepted, stored, typing). */
  readonly marks = new Map<string, Histogram>();
  replies = 0;
  /** Characters of streamed text (delta frames or the stub's content pieces). */
  chars = 0;
  sent = 0;
  replied = 0;
  errors = 0;
  readonly errorSamples: string[] = [];
  /** Replies slower than a second (warm-up and drain included): where each spent its time. */
  readonly slowSamples: string[] = [];
  slowReplies = 0;
  /** Cleared when the window ends: clients then only wait for what is still due. */
  sending = true;

  open(warmupMs: number, measureMs: number): void {
    const now = performance.now();
    this.startsAt = now + warmupMs;
    this.endsAt = this.startsAt + measureMs;
  }

  get endTime(): number {
    return this.endsAt;
  }

  inside(at: number): boolean {
    return at >= this.startsAt && at < this.endsAt;
  }

  reply(sentAt: number, at: number): void {
    this.replied += 1;
    if (!this.inside(at)) return;
    this.replies += 1;
    this.latency.record(at - sentAt);
  }

  firstToken(sentAt: number, at: number): void {
    if (this.inside(at)) this.ttft.record(at - sentAt);
  }

  mark(name: string, sentAt: number, at: number): void {
    if (!this.inside(at)) return;
    let histogram = this.marks.get(name);
    if (!histogram) this.marks.set(name, (histogram = new Histogram()));
    histogram.record(at - sentAt);
  }

  text(chars: number, at: number): void {
    if (this.inside(at)) this.chars += chars;
  }

  error(what: string): void {
    this.errors += 1;
    if (this.errorSamples.length < 5) this.errorSamples.push(what.slice(0, 300));
  }

  slow(description: string): void {
    this.slowReplies += 1;
    if (this.slowSamples.length < 10) this.slowSamples.push(description);
  }

  result(sessions: string[], connectFailures: number): LoadResult {
    return {
      sessions,
      connectFailures,
      windowReplies: this.replies,
      windowMs: this.endsAt - this.startsAt,
      latency: this.latency.toJSON(),
      ttft: this.ttft.toJSON(),
      marks: Object.fromEntries([...this.marks].map(([name, h]) => [name, h.toJSON()])),
      windowChars: this.chars,
      sent: this.sent,
      replied: this.replied,
      errors: this.errors,
      errorSamples: this.errorSamples,
      slowReplies: this.slowReplies,
      slowSamples: this.slowSamples,
    };
  }
}
