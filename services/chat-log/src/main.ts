import path from 'node:path';
import { Bus } from '@chatbot/bus';
import { announceReady, createLogger, createMetricsRegistry, runMain, startOpsServer } from '@chatbot/runtime';
import { migrate, retryWhileDatabaseDown, startingOps } from '@chatbot/store';
import { createApp } from './app';
import { readConfig } from './config';
import { createDb, DB_SCHEMA, pingDb } from './store/database';

runMain('chat-log', async () => {
  const config = readConfig();
  const logger = createLogger('chat-log', config.LOG_LEVEL);
  const bus = await Bus.connect({ url: config.NATS_URL, prefix: config.NATS_PREFIX, name: `chat-log:${process.pid}`, logger });
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const registry = createMetricsRegistry('chat-log');
  const ping = () => pingDb(db);
  const ops = startingOps('chat-log', registry, { nats: () => bus.ping(), postgres: ping });
  const opsServer = await startOpsServer(ops.endpoints, config.OPS_PORT);
  const dir = path.join(__dirname, '..', 'prisma', 'migrations');
  await retryWhileDatabaseDown('migrate', () => migrate({ databaseUrl: config.DATABASE_URL, schema: DB_SCHEMA, dir, logger }), { logger, ping });
  const app = await createApp({ config, bus, db, logger, registry });
  ops.started(app.ops);
  announceReady(logger, { ports: { ops: opsServer.port } });
  const stop = async () => {
    await app.stop();
    await bus.close(); // stops consuming, waits for the batches in flight, drains
    await app.flush();
    await db.$disconnect();
    opsServer.server.close();
  };
  return { running: { stop }, logger, graceMs: config.SHUTDOWN_GRACE_MS };
});
