import { Bus } from '@chatbot/bus';
import { announceReady, createLogger, runMain } from '@chatbot/runtime';
import { createApp } from './app';
import { readConfig } from './config';

runMain('gateway', async () => {
  const config = readConfig();
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const bus = await Bus.connect({
    url: config.NATS_URL,
    prefix: config.NATS_PREFIX,
    name: `gateway ${config.GATEWAY_ID}`,
    logger,
  });
  await bus.ensureStreams(['CHAT_INBOUND', 'CHAT_REPLIES', 'AGENT_EVENTS']);
  const app = createApp({ config, bus, logger });
  const port = await app.listen(config.PORT);
  announceReady(logger, { ports: { http: port } });
  return { running: app, logger, graceMs: config.SHUTDOWN_GRACE_MS };
});
