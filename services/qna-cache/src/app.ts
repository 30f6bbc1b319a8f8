import type { Bus } from '@chatbot/bus';
import { consumers } from '@chatbot/proto';
import type { Logger, OpsEndpoints, Registry } from '@chatbot/runtime';
import { AnswerCache } from './answer.cache';
import { createCardSearchRepository } from './search/card-search.repository';
import { loadCatalogue } from './catalogue.loader';
import { createCatalogueRepository, type CatalogueRepository } from './catalogue.repository';
import { createChatMessageRouter } from './chat-message.router';
import { HandoffCategories, watchHandoffCategories } from './escalation/handoff-categories';
import type { Config } from './config';
import type { PrismaClient } from './generated/prisma/client';
import { createQnaMetrics } from './qna.metrics';
import { announceCatalogue, serveQnaRequests } from './qna-request.handler';
import { createQnaSearchRepository } from './search/qna-search.repository';
import { loadSearchVocabulary } from './search/search.vocabulary';
import { trigramFunctions } from './search/trigram.functions';
import { ViewTally } from './view.tally';

export interface AppDeps {
  config: Config;
  logger: Logger;
  bus: Bus;
  prisma: PrismaClient;
  /** Created once by main: a start-up retried while Postgres is down calls createApp again. */
  registry: Registry;
}

export interface App {
  ops: OpsEndpoints;
  /** Stops consuming and serving, waits for in-flight batches, writes pending view counts. */
  stop(): Promise<void>;
}

const SERVICE = 'qna-cache';

/** Seeds what the data files add, then loads the exact-match answers from the database. */
async function warmUp(config: Config, logger: Logger, catalogue: CatalogueRepository): Promise<AnswerCache> {
  const seeded = await catalogue.seed(await loadCatalogue(config.QNA_DATA_DIR));
  logger.info({ seeded }, 'catalogue seeded');
  const cache = new AnswerCache(await catalogue.answers());
  logger.info({ entries: cache.size }, 'answer cache warm');
  return cache;
}

/**
 * Seeds the catalogue, warms the exact-match cache, then starts routing and answering requests.
 * Nothing is registered before the database work succeeded, so a failed start-up can call this again.
 */
export async function createApp({ config, logger, bus, prisma, registry }: AppDeps): Promise<App> {
  const catalogue = createCatalogueRepository(prisma);
  const cache = await warmUp(config, logger, catalogue);
  const trgm = await trigramFunctions(prisma);
  const vocabulary = await loadSearchVocabulary(config.QNA_DATA_DIR);
  const metrics = createQnaMetrics(registry);
  serveQnaRequests({
    bus,
    catalogue,
    search: createQnaSearchRepository(prisma, vocabulary),
    cards: createCardSearchRepository(prisma, trgm, vocabulary),
    metrics,
  });
  const views = new ViewTally(catalogue.addViews, logger, () => metrics.viewWriteFailures.inc()).flushEvery(config.VIEW_FLUSH_MS);
  const spec = { ...consumers.qnaRouter, ackWaitMs: config.ROUTER_ACK_WAIT_MS, maxDeliver: -1, maxAckPending: 1_000 };
  const categories = new HandoffCategories(logger);
  const categoriesWatch = await watchHandoffCategories(bus, categories);
  // Under the ack wait, so a batch whose handoff timed out is redelivered and asks again.
  const handoffTimeoutMs = Math.min(5_000, config.ROUTER_ACK_WAIT_MS / 2);
  const route = createChatMessageRouter({ bus, cache, views, metrics, logger, categories, handoffTimeoutMs });
  await bus.consumeBatches('chatStored', spec, { maxBatch: config.ROUTER_MAX_BATCH }, route);
  await announceCatalogue({ bus, catalogue });
  bus.serveOpsMetrics('qna-cache', registry);
  return {
    ops: {
      service: SERVICE,
      registry: metrics.registry,
      readiness: { nats: () => bus.ping(), postgres: () => catalogue.ping() },
    },
    async stop() {
      categoriesWatch.stop();
      await bus.close();
      await views.close();
    },
  };
}
