import { hostname } from 'node:os';
import { Bus } from '@chatbot/bus';
import { announceReady, createLogger, runMain, startOpsServer } from '@chatbot/runtime';
import { loadPrompts } from './answering/prompt.loader';
import { createApp } from './app';
import { readConfig } from './config';

runMain('llm-dispatch', async () => {
  const config = readConfig();
  const logger = createLogger('llm-dispatch', config.LOG_LEVEL);
  const prompts = await loadPrompts(config);
  const bus = await Bus.connect({ url: config.NATS_URL, prefix: config.NATS_PREFIX, name: `llm-dispatch@${hostname()}`, logger });
  const app = await createApp({ bus, logger, config, prompts });
  const ops = await startOpsServer(app.ops, config.OPS_PORT);
  announceReady(logger, { ports: { ops: ops.port }, mode: app.mode });
  const stop = async () => {
    await app.stop();
    await new Promise<void>((resolve) => ops.server.close(() => resolve()));
  };
  return { running: { stop }, logger, graceMs: config.SHUTDOWN_GRACE_MS };
});
