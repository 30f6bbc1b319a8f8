import type { Bus } from '@chatbot/bus';
import type { Logger, OpsEndpoints, Registry } from '@chatbot/runtime';
import { prepareAccounts, type AccountSettings } from './accounts/accounts.app';
import { consumeUsage } from './accounts/usage/usage.consumer';
import { pruneCountedMessages } from './accounts/usage/usage.pruner';
import { serveChatbotSettings } from './chatbot-settings/settings.handlers';
import type { PrismaClient } from './generated/prisma/client';
import { loginHandler } from './login.handler';
import { createPersonaMetrics, instrument } from './persona.metrics';
import { PersonaRepository } from './persona.repository';
import { presenceClient } from './presence.client';
import { RecommendationService } from './recommendation.service';
import { DATA_DIR, loadSeedData } from './seed-data.loader';
import { seedReferenceData } from './seed.repository';
import { bindingHandler, personasHandler, recommendHandler } from './session.handlers';

export interface AppDeps {
  bus: Bus;
  prisma: PrismaClient;
  logger: Logger;
  /** Created once by main: a start-up retried while Postgres is down calls createApp again. */
  registry: Registry;
  presenceTimeoutMs: number;
  /** Days a counted message id is kept (USAGE_DEDUPE_DAYS). */
  usageDedupeDays: number;
  /** Folder of personas.json and clusters.json. */
  dataDir?: string;
  accounts: AccountSettings;
}

export interface App {
  ops: OpsEndpoints;
  /** Stops answering, waits for requests in flight, drains NATS. Prisma is the caller's. */
  stop(): Promise<void>;
}

/**
 * Seeds the reference data, then answers the persona requests. Nothing is registered before the
 * seed succeeded, so a start-up that failed there can call this again.
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { bus, logger, registry } = deps;
  await bus.ensureStreams(['CHAT_REPLIES', 'CHAT_USAGE']);
  const seeded = await seedReferenceData(deps.prisma, await loadSeedData(deps.dataDir ?? DATA_DIR));
  logger.info({ changed: seeded }, 'reference data seeded');
  const accounts = await prepareAccounts({ prisma: deps.prisma, settings: deps.accounts });

  const metrics = createPersonaMetrics(registry);
  const repository = new PersonaRepository(deps.prisma);
  const handlerDeps = {
    bus,
    repository,
    metrics,
    recommendations: new RecommendationService(repository),
    presence: presenceClient(bus, deps.presenceTimeoutMs),
  };
  const observed = { logger, metrics };
  accounts.serve(bus, observed);
  bus.serve('personas', instrument('personas', observed, personasHandler(handlerDeps)));
  bus.serve('login', instrument('login', observed, loginHandler(handlerDeps)));
  bus.serve('binding', instrument('binding', observed, bindingHandler(handlerDeps)));
  bus.serve('recommend', instrument('recommend', observed, recommendHandler(handlerDeps)));
  await consumeUsage(bus, deps.prisma, logger);
  const pruning = pruneCountedMessages(deps.prisma, deps.usageDedupeDays, logger);
  const settings = await serveChatbotSettings({ bus, prisma: deps.prisma, logger, metrics });
  bus.serveOpsMetrics('persona', registry);

  return {
    ops: {
      service: 'persona',
      registry,
      readiness: { nats: () => bus.ping(), postgres: () => repository.ping() },
    },
    async stop() {
      await settings.stop();
      await pruning.stop();
      await bus.close();
    },
  };
}
