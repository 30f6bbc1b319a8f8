import { hostname } from 'node:os';
import { join } from 'node:path';
import { Bus } from '@chatbot/bus';
import { announceReady, createLogger, createMetricsRegistry, runMain, startOpsServer } from '@chatbot/runtime';
import { migrate, prismaAdapter, retryWhileDatabaseDown, startingOps } from '@chatbot/store';
import { createApp } from './app';
import { DB_SCHEMA, readConfig } from './config';
import { PrismaClient } from './generated/prisma/client';

runMain('qna-cache', async () => {
  const config = readConfig();
  const logger = createLogger('qna-cache', config.LOG_LEVEL);
  const bus = await Bus.connect({ url: config.NATS_URL, prefix: config.NATS_PREFIX, name: `qna-cache@${hostname()}:${process.pid}`, logger });
  await bus.ensureStreams(['CHAT_STORED', 'CHAT_REPLIES', 'LLM_JOBS']);
  const prisma = new PrismaClient({ adapter: prismaAdapter(config.DATABASE_URL, DB_SCHEMA) });
  const registry = createMetricsRegistry('qna-cache');
  const ping = async () => {
    await prisma.$queryRaw`SELECT 1`;
    return 'up';
  };
  const ops = startingOps('qna-cache', registry, { nats: () => bus.ping(), postgres: ping });
  const opsServer = await startOpsServer(ops.endpoints, config.OPS_PORT);
  const app = await retryWhileDatabaseDown('migrate, seed and warm up', async () => {
    await migrate({ databaseUrl: config.DATABASE_URL, schema: DB_SCHEMA, dir: join(__dirname, '..', 'prisma', 'migrations'), logger });
    return createApp({ config, logger, bus, prisma, registry });
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
