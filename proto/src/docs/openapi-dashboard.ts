import { DashboardResponse } from '../rest/dashboard';
import type { OpenApiHelpers } from './openapi-accounts';

/** The console's live dashboard (agents and admins): every service's figures, merged by a gateway. */
export function dashboardPaths({ json, error }: OpenApiHelpers): Record<string, unknown> {
  return {
    '/api/admin/dashboard': {
      get: {
        summary: 'Every service’s figures, gathered from the instances that answer ops.metrics.v1 within DASHBOARD_GATHER_MS: instances of a service add up; a service that did not answer has no instance and null figures (agents and admins)',
        security: [{ bearer: [] }, { apiKey: [] }],
        responses: {
          200: { description: 'the figures, the services that answered, and the recent incidents with their ids', content: json(DashboardResponse) },
          401: error('no, expired or invalid credentials (E4012)'),
          403: error('neither an agent nor an admin (E4013)'),
          503: error('the gateway has no broker connection (E5002)'),
        },
      },
    },
  };
}
