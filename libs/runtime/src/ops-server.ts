import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { runHealthChecks, type HealthCheck } from './health';

export interface OpsEndpoints {
  service: string;
  registry: Registry;
  /** Dependencies whose failure makes the service not ready (NATS, Postgres …). */
  readiness: Record<string, HealthCheck>;
  /** Extra facts reported by /healthz that never fail it (e.g. the LLM mode). */
  info?: () => Record<string, unknown>;
}

/**
 * `/healthz` (liveness: the process answers; lists dependencies), `/readyz` (503 while a
 * dependency is down) and `/metrics` (Prometheus text).
 */
export async function handleOpsRequest(
  endpoints: OpsEndpoints,
  path: string,
): Promise<{ status: number; type: string; body: string } | null> {
  if (path === '/metrics') {
    return { status: 200, type: endpoints.registry.contentType, body: await endpoints.registry.metrics() };
  }
  if (path !== '/healthz' && path !== '/readyz') return null;
  const report = await runHealthChecks(endpoints.service, endpoints.readiness);
  const body = JSON.stringify({ ...report, ...(endpoints.info?.() ?? {}) });
  const status = path === '/readyz' && report.status !== 'ok' ? 503 : 200;
  return { status, type: 'application/json', body };
}

/** A tiny HTTP server for services that have no HTTP API of their own. */
export async function startOpsServer(endpoints: OpsEndpoints, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    handleOpsRequest(endpoints, path).then(
      (answer) => {
        if (!answer) {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
          return;
        }
        res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
