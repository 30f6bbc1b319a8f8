import type { Logger } from '@chatbot/runtime';
import type { CacheHit } from './answer.cache';
import type { ViewCounts } from './catalogue.repository';

/**
 * Views gathered in memory and written in one statement per interval, not per micro-batch:
 * every view UPDATE of a popular FAQ rewrites the same row and, because `views` is indexed for
 * the top-K lists, adds entries to each of its indexes (the trigram GIN index too). A failed
 * write keeps its counts for the next flush instead of failing a batch: the replies are already
 * published, and a redelivered batch would re-queue its LLM jobs once the broker's
 * de-duplication window has passed. Views are popularity statistics; a crash may lose the ones
 * of the last interval.
 */
export class ViewTally {
  private pending: ViewCounts = { faqs: new Map(), terms: new Map() };
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly write: (counts: ViewCounts) => Promise<void>,
    private readonly logger: Logger,
    private readonly onFailure: () => void = () => {},
  ) {}

  count(hit: CacheHit): void {
    const map = hit.kind === 'faq' ? this.pending.faqs : this.pending.terms;
    map.set(hit.id, (map.get(hit.id) ?? 0) + 1);
  }

  /** Flushes every `intervalMs` until `close()`. */
  flushEvery(intervalMs: number): this {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
    return this;
  }

  /** Stops the interval and writes what is still pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  async flush(): Promise<void> {
    const counts = this.pending;
    if (counts.faqs.size === 0 && counts.terms.size === 0) return;
    this.pending = { faqs: new Map(), terms: new Map() };
    try {
      await this.write(counts);
    } catch (error) {
      this.onFailure();
      this.logger.warn({ err: error, faqs: counts.faqs.size, terms: counts.terms.size }, 'view counts not written, carried over');
      for (const [kind, map] of [['faqs', counts.faqs], ['terms', counts.terms]] as const) {
        for (const [id, n] of map) this.pending[kind].set(id, (this.pending[kind].get(id) ?? 0) + n);
      }
    }
  }
}
