import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Bus } from '@chatbot/bus';
import { createMetricsRegistry, type Logger, type OpsEndpoints } from '@chatbot/runtime';
import { authSetup } from './auth/auth.setup';
import { watchBrokerLink } from './broker.link';
import type { Config } from './config';
import { createGatewayMetrics } from './gateway.metrics';
import { createHttpApp } from './http/http.app';
import { ChatSockets } from './socket/ws.server';
import { AgentSockets } from './agents/agent.sockets';
import { ApiKeySockets } from './auth/api-key.sockets';

export interface AppDeps {
  config: Config;
  bus: Bus;
  logger: Logger;
}

export interface GatewayApp {
  http: Express;
  server: Server;
  ops: OpsEndpoints;
  listen(port: number): Promise<number>;
  stop(): Promise<void>;
}

const HTTP_DRAIN_MS = 5_000;

/** Wires REST, the chat WebSocket and the ops endpoints onto one HTTP server (not yet listening). */
export function createApp({ config, bus, logger }: AppDeps): GatewayApp {
  const registry = createMetricsRegistry('gateway');
  const metrics = createGatewayMetrics(registry);
  const link = watchBrokerLink(bus);
  const ops: OpsEndpoints = {
    service: 'gateway',
    registry,
    readiness: {
      nats: async () => {
        link.require();
        return bus.ping();
      },
    },
    info: () => ({ gateway_id: config.GATEWAY_ID }),
  };
  const inflight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    inflight.add(work);
    const done = () => inflight.delete(work);
    work.then(done, done);
  };
  const common = { bus, link, logger, metrics, requestTimeoutMs: config.REQUEST_TIMEOUT_MS };
  const auth = authSetup(config, bus, logger);
  const rateLimits = {
    perAddress: { ratePerSecond: config.HTTP_RATE_PER_IP, burst: config.HTTP_BURST_PER_IP },
    perCaller: { ratePerSecond: config.HTTP_RATE_PER_CALLER, burst: config.HTTP_BURST_PER_CALLER },
    trustedProxyHops: config.TRUST_PROXY,
    verifier: auth.auth.verifier,
  };
  const uploads = { maxBytes: config.UPLOAD_MAX_BYTES, timeoutMs: config.UPLOAD_TIMEOUT_MS };
  const http = createHttpApp({ ...common, ...auth, ops, corsOrigins: config.CORS_ORIGINS, rateLimits, uploads, dashboardGatherMs: config.DASHBOARD_GATHER_MS });
  bus.serveOpsMetrics('gateway', registry);
  const server = createServer(http);
  const apiKeySockets = new ApiKeySockets(auth.auth.apiKeys, Math.max(1, config.API_KEY_CACHE_SECONDS) * 1000, logger);
  const sockets = new ChatSockets(server, {
    ...common,
    track,
    gatewayId: config.GATEWAY_ID,
    maxMessageChars: config.MAX_MESSAGE_CHARS,
    replyTimeoutMs: config.REPLY_TIMEOUT_MS,
    publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
    systemPromptRoles: config.SYSTEM_PROMPT_ROLES,
    maxPayloadBytes: config.WS_MAX_PAYLOAD_BYTES,
    corsOrigins: config.CORS_ORIGINS,
    pingIntervalMs: config.WS_PING_INTERVAL_MS,
    trustedProxyHops: config.TRUST_PROXY,
    callers: { verifier: auth.auth.verifier, apiKeys: auth.auth.apiKeys, clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS },
    authRequired: config.AUTH_REQUIRED,
    apiKeySockets,
    perAddress: { maxConnections: config.WS_MAX_CONN_PER_IP, ratePerSecond: config.WS_RATE_PER_IP, burst: config.WS_BURST_PER_IP },
    limits: {
      ratePerSecond: config.WS_RATE_PER_CONN,
      burst: config.WS_BURST_PER_CONN,
      maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
      slowReaderMs: config.WS_SLOW_READER_MS,
      idleTimeoutMs: config.WS_IDLE_TIMEOUT_MS,
    },
  });

  const agentSockets = new AgentSockets(server, {
    bus,
    logger,
    callers: { verifier: auth.auth.verifier, apiKeys: auth.auth.apiKeys, clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS },
    corsOrigins: config.CORS_ORIGINS,
    pingIntervalMs: config.WS_PING_INTERVAL_MS,
    maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
    apiKeySockets,
  });

  link.onReconnect(() => track(sockets.catchUp()));

  return {
    http,
    server,
    ops,
    listen: (port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '0.0.0.0', () => resolve((server.address() as AddressInfo).port));
      }),
    /** No new sockets or requests; sockets closed (clients resume elsewhere); accepted work finished. */
    async stop() {
      const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.all([sockets.close(), agentSockets.close(), apiKeySockets.stop()]);
      await Promise.allSettled([...inflight]);
      const force = setTimeout(() => server.closeAllConnections(), HTTP_DRAIN_MS);
      await httpClosed;
      clearTimeout(force);
      await bus.close();
    },
  };
}
