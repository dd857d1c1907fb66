import * as v from 'valibot';
import { DrainNodeRequest, DrainNodeResult, FleetEvent, FleetEventsQuery, FleetNode } from './fleetAdmin.js';
import type { RestRoute } from './routes.js';

/** Prefix of the operator's fleet API. */
export const FLEET_ADMIN_PREFIX = '/admin/fleet';

/** `GET /healthz`: what a load balancer or an operator polls. */
export const HealthReport = v.object({
  status: v.literal('ok'),
  engine: v.picklist(['uws', 'node']),
  media: v.string(),
  /** Nodes up now. */
  nodes: v.number(),
  sessions: v.number(),
});
export type HealthReport = v.InferOutput<typeof HealthReport>;

/**
 * A route of the operator's side of the gateway: described like a studio
 * route, but public (the health probe) or behind the gateway's own admin
 * bearer token (`fleet.adminToken`), never a studio key.
 */
export interface OperatorRoute extends Omit<RestRoute, 'auth' | 'idempotent'> {
  readonly auth: 'public' | 'admin';
}

/** Every operator route of the gateway (health probe, fleet API), by operation id. */
export const operatorRoutes = {
  getHealth: {
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness: the listener engine, the media backend, nodes up and sessions',
    tag: 'operator',
    auth: 'public',
    status: 200,
    response: HealthReport,
    errors: [],
  },
  listFleetNodes: {
    method: 'GET',
    path: `${FLEET_ADMIN_PREFIX}/nodes`,
    summary: 'Every node, live and remembered, with load, reputation, coordinate and gateway RTT',
    tag: 'fleet',
    auth: 'admin',
    status: 200,
    response: v.object({ nodes: v.array(FleetNode) }),
    errors: ['FW_ERR_FORBIDDEN', 'FW_ERR_UNAUTHORIZED'],
  },
  drainFleetNode: {
    method: 'POST',
    path: `${FLEET_ADMIN_PREFIX}/drain`,
    summary: 'Drain a node (no new sessions, current ones finish) or lift its drain',
    tag: 'fleet',
    auth: 'admin',
    body: DrainNodeRequest,
    status: 200,
    response: DrainNodeResult,
    errors: ['FW_ERR_FORBIDDEN', 'FW_ERR_UNAUTHORIZED', 'FW_ERR_INVALID_REQUEST', 'FW_ERR_NOT_FOUND'],
  },
  listFleetEvents: {
    method: 'GET',
    path: `${FLEET_ADMIN_PREFIX}/events`,
    summary: "A node's history, newest first (limit 1-500, default 50)",
    tag: 'fleet',
    auth: 'admin',
    query: FleetEventsQuery,
    status: 200,
    response: v.object({ events: v.array(FleetEvent) }),
    errors: ['FW_ERR_FORBIDDEN', 'FW_ERR_UNAUTHORIZED', 'FW_ERR_INVALID_REQUEST'],
  },
} as const satisfies Record<string, OperatorRoute>;

export type OperatorOperationId = keyof typeof operatorRoutes;
