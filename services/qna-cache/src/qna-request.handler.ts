import type { Bus, RequestHandler } from '@chatbot/bus';
import type { RequestKey } from '@chatbot/proto';
import { AppError } from '@chatbot/runtime';
import { isStorageFailure } from '@chatbot/store';
import type { CardSearchRepository } from './search/card-search.repository';
import type { CatalogueRepository } from './catalogue.repository';
import type { QnaMetrics } from './qna.metrics';
import type { QnaSearchRepository } from './search/qna-search.repository';

export interface RequestDeps {
  bus: Bus;
  catalogue: CatalogueRepository;
  search: QnaSearchRepository;
  cards: CardSearchRepository;
  metrics: QnaMetrics;
}

/** Serves a request and records its latency; the bus has validated the payload against proto. */
function timed<K extends RequestKey>(deps: RequestDeps, key: K, handler: RequestHandler<K>) {
  deps.bus.serve(key, async (request, context) => {
    const end = deps.metrics.requestSeconds.startTimer({ request: key });
    try {
      const response = await handler(request, context);
      end({ outcome: 'ok' });
      return response;
    } catch (error) {
      end({ outcome: 'error' });
      // A failing query is worth a retry for the caller; a fault of ours stays one (E5004).
      throw isStorageFailure(error) ? new AppError('E5003', undefined, { cause: error }) : error;
    }
  });
}

/** The qna.* request subjects: menus (most viewed), the LLM tools' ranked searches, the card names. */
export function serveQnaRequests(deps: RequestDeps): void {
  timed(deps, 'faqTop', async ({ top_k }) => {
    const rows = await deps.catalogue.topFaqs(top_k);
    return { items: rows.map((f) => ({ faq_id: f.faqId, question: f.question, answer: f.answer, views: f.views })) };
  });
  timed(deps, 'termTop', async ({ top_k }) => {
    const rows = await deps.catalogue.topTerms(top_k);
    return { items: rows.map((t) => ({ term_id: t.termId, term: t.term, definition: t.definition })) };
  });
  timed(deps, 'faqSearch', async ({ query, limit }) => ({ hits: await deps.search.faqs(query, limit) }));
  timed(deps, 'termSearch', async ({ query, limit }) => ({ hits: await deps.search.terms(query, limit) }));
  timed(deps, 'cardDescribe', async ({ query, limit }) => ({ cards: await deps.cards.describe(query, limit) }));
  timed(deps, 'cardRecommend', async ({ query, limit }) => ({ cards: await deps.cards.recommend(query, limit) }));
  timed(deps, 'cardNames', async () => ({ names: await deps.catalogue.cardNames() }));
}

/**
 * Tells whoever keeps the catalogue's card names (llm-dispatch's router) to ask again. Sent once
 * the requests are served, after the catalogue is loaded: a worker that started first and found
 * no answer learns here that it can ask now.
 */
export async function announceCatalogue(deps: Pick<RequestDeps, 'bus' | 'catalogue'>): Promise<void> {
  const cards = (await deps.catalogue.cardNames()).length;
  await deps.bus.publish('catalogueChanged', '', { cards, changed_at: new Date().toISOString() });
}
