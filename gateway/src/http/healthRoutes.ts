import type { FramewayError } from '@frameway/protocol';
import { type HealthReport, operatorRoutes } from '@frameway/protocol/rest';
import type { FastifyInstance } from 'fastify';
import { addRestRoute } from './addRestRoute.js';
import { createRestHost } from './createRestHost.js';

/**
 * `GET /healthz` (operator table: `getHealth`) on a host of its own: no key,
 * and no rate limit, so a load balancer polling it never gets a 429.
 */
export function createHealthApp(options: {
  report: () => HealthReport;
  toError: (error: unknown) => FramewayError;
}): FastifyInstance {
  const app = createRestHost({ name: 'health', toError: options.toError });
  addRestRoute(app, 'getHealth', operatorRoutes.getHealth, () => options.report());
  return app;
}
