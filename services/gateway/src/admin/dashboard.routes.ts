import { Router, type RequestHandler } from 'express';
import type { Bus } from '@chatbot/bus';
import type { BrokerLink } from '../broker.link';
import { route } from '../auth/auth.request';
import { dashboardOf } from './dashboard.figures';

export interface DashboardDeps {
  bus: Bus;
  link: BrokerLink;
  /** How long the gateway collects the services' answers to `ops.metrics.v1`. */
  gatherMs: number;
}

/**
 * `GET /api/admin/dashboard` (agents and admins): every service's figures, gathered from the
 * instances that answer within `gatherMs`; whoever did not answer is listed with no instance.
 */
export function dashboardRoutes(agent: RequestHandler, deps: DashboardDeps): Router {
  const router = Router();
  router.get('/api/admin/dashboard', agent, route('admin.dashboard', async (_req, res) => {
    deps.link.require();
    const started = Date.now();
    const snapshots = await deps.bus.gather('opsMetrics', {}, { windowMs: deps.gatherMs, correlationId: res.locals.correlationId as string });
    return dashboardOf(snapshots, new Date(), Date.now() - started);
  }));
  return router;
}
