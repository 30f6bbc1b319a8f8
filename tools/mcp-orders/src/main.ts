#!/usr/bin/env node
import { hostMcp } from '@chatbot/mcp-host';
import { announceReady, createLogger, runMain } from '@chatbot/runtime';
import { readConfig } from './config';
import { OrderStore } from './order.store';
import { createOrdersServer } from './orders.mcp-server';

runMain('mcp-orders', async () => {
  const config = readConfig();
  // Over stdio, stdout carries the protocol: logs go to stderr.
  const logger = createLogger('mcp-orders', config.LOG_LEVEL, config.MCP_TRANSPORT === 'stdio' ? 2 : 1);
  const store = await OrderStore.load(config.ORDERS_FILE);
  const choice = config.MCP_TRANSPORT === 'stdio' ? { kind: 'stdio' as const } : { kind: 'http' as const, port: config.MCP_PORT, host: config.MCP_HOST };
  const hosted = await hostMcp(() => createOrdersServer(store, '0.1.0'), choice);
  announceReady(logger, { ports: hosted.port === null ? {} : { http: hosted.port }, transport: config.MCP_TRANSPORT });
  void hosted.clientGone.then(() => process.kill(process.pid, 'SIGTERM')); // stop as on any SIGTERM
  return { running: { stop: () => hosted.close() }, logger, graceMs: 5_000 };
});
