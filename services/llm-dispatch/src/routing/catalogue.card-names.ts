import type { Bus } from '@chatbot/bus';
import type { Logger } from '@chatbot/runtime';
import { cardNameMatcher, type CardNameMatcher } from './card-name.matcher';

export interface CardNamesOptions {
  /** How long start-up waits for qna-cache to answer (it may start after this worker). */
  startWaitMs: number;
  /** Pause between attempts while qna-cache has not answered yet. */
  retryMs: number;
}

/**
 * The catalogue's card names, asked of their owner: qna-cache answers `cardNames` from its
 * database. Asked at start-up (waiting a bounded time for qna-cache), then again whenever
 * qna-cache announces its catalogue (`catalogueChanged`, sent each time one starts). Until the
 * first answer the router knows the series names only, and asks again every `retryMs`: a late
 * qna-cache delays nothing but the recognition of full product names.
 */
export class CatalogueCardNames {
  private matcher: CardNameMatcher = cardNameMatcher([]);
  private retry: NodeJS.Timeout | undefined;
  private listening: { unsubscribe(): void } | undefined;
  private stopped = false;
  count = 0;

  constructor(
    private readonly bus: Pick<Bus, 'request' | 'subscribe'>,
    private readonly logger: Logger,
    private readonly options: CardNamesOptions,
  ) {}

  readonly namesCard: CardNameMatcher = (text) => this.matcher(text);

  /** Listens for catalogue changes, then asks; resolves once answered or after `startWaitMs`. */
  async start(): Promise<void> {
    this.listening = this.bus.subscribe('catalogueChanged', '', () => void this.refresh(0));
    await this.refresh(this.options.startWaitMs);
  }

  stop(): void {
    this.stopped = true;
    this.listening?.unsubscribe();
    clearTimeout(this.retry);
  }

  private async refresh(waitMs: number): Promise<void> {
    clearTimeout(this.retry);
    try {
      const { names } = await this.bus.request('cardNames', {}, { waitForResponder: waitMs > 0, timeoutMs: Math.max(waitMs, 2_000) });
      this.matcher = cardNameMatcher(names);
      this.count = names.length;
      this.logger.info({ cards: names.length }, 'card names loaded from qna-cache');
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn({ err: error, retryMs: this.options.retryMs }, 'card names unavailable from qna-cache; routing by series names until it answers');
      this.retry = setTimeout(() => void this.refresh(0), this.options.retryMs);
      this.retry.unref();
    }
  }
}
