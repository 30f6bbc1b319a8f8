import { hostname } from 'node:os';
import { Bus } from '@chatbot/bus';
import { hostMcp } from '@chatbot/mcp-host';
import { announceReady, createLogger, runMain } from '@chatbot/runtime';
import { ToolExecutor } from '../tool.executor';
import { readCardsConfig } from './cards.config';
import { createCardsServer } from './cards.mcp-server';

runMain('mcp-cards', async () => {
  const config = readCardsConfig();
  // Over stdio, stdout carries the protocol: logs go to stderr.
  const logger = createLogger('mcp-cards', config.LOG_LEVEL, config.MCP_TRANSPORT === 'stdio' ? 2 : 1);
  const bus = await Bus.connect({ url: config.NATS_URL, prefix: config.NATS_PREFIX, name: `mcp-cards@${hostname()}`, logger });
  const executor = new ToolExecutor(bus, config.TOOL_TIMEOUT_MS);
  const choice = config.MCP_TRANSPORT === 'stdio' ? { kind: 'stdio' as const } : { kind: 'http' as const, port: config.MCP_PORT, host: config.MCP_HOST };
  const hosted = await hostMcp(() => createCardsServer(executor, logger, '0.1.0'), choice);
  announceReady(logger, { ports: hosted.port === null ? {} : { http: hosted.port }, transport: config.MCP_TRANSPORT });
  void hosted.clientGone.then(() => process.kill(process.pid, 'SIGTERM')); // stop as on any SIGTERM
  const stop = async () => {
    await hosted.close();
    await bus.close(1_000);
  };
  return { running: { stop }, logger, graceMs: 5_000 };
});
