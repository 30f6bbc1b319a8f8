import type { Logger } from '@chatbot/runtime';
import type { CacheHit } from './answer.cache';
import type { ViewCounts } from './catalogue.repository';

/**
 * Views gathered over a micro-batch and written in one statement. A failed write keeps its
 * counts for the next flush instead of failing the batch: the replies are already published,
 * and a redelivered batch would re-queue its LLM jobs once the broker's de-duplication window
 * has passed. Views are popularity statistics; a crash may lose the ones not yet written.
 */
export class ViewTally {
  private pending: ViewCounts = { faqs: new Map(), terms: new Map() };

  constructor(
    private readonly write: (counts: ViewCounts) => Promise<void>,
    private readonly logger: Logger,
    private readonly onFailure: () => void = () => {},
  ) {}

  count(hit: CacheHit): void {
    const map = hit.kind === 'faq' ? this.pending.faqs : this.pending.terms;
    map.set(hit.id, (map.get(hit.id) ?? 0) + 1);
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
