import { hostname } from 'node:os';
import { join } from 'node:path';
import { Bus } from '@chatbot/bus';
import { announceReady, createLogger, createMetricsRegistry, runMain, startOpsServer } from '@chatbot/runtime';
import { migrate, retryWhileDatabaseDown, startingOps } from '@chatbot/store';
import { accountSettings } from './accounts/accounts.app';
import { createApp } from './app';
import { readConfig } from './config';
import { createPrisma, DB_SCHEMA, pingDb } from './database';

runMain('persona', async () => {
  const config = readConfig();
  const logger = createLogger('persona', config.LOG_LEVEL);
  const bus = await Bus.connect({ url: config.NATS_URL, prefix: config.NATS_PREFIX, name: `persona@${hostname()}`, logger });
  const prisma = createPrisma(config.DATABASE_URL);
  const registry = createMetricsRegistry('persona');
  const ping = () => pingDb(prisma);
  const ops = startingOps('persona', registry, { nats: () => bus.ping(), postgres: ping });
  const opsServer = await startOpsServer(ops.endpoints, config.OPS_PORT);
  const migrations = join(__dirname, '..', 'prisma', 'migrations');
  const app = await retryWhileDatabaseDown('migrate and seed', async () => {
    await migrate({ databaseUrl: config.DATABASE_URL, schema: DB_SCHEMA, dir: migrations, logger });
    return createApp({ bus, prisma, logger, registry, presenceTimeoutMs: config.PRESENCE_TIMEOUT_MS, usageDedupeDays: config.USAGE_DEDUPE_DAYS, accounts: accountSettings(config) });
  }, { logger, ping });
  ops.started(app.ops);
  announceReady(logger, { ports: { ops: opsServer.port } });
  const stop = async () => {
    await app.stop();
    await prisma.$disconnect();
    await new Promise<void>((resolve) => opsServer.server.close(() => resolve()));
  };
  return { running: { stop }, logger, graceMs: config.SHUTDOWN_GRACE_MS };
});
