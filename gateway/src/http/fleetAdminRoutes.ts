import { FramewayError } from '@frameway/protocol';
import { FLEET_ADMIN_PREFIX, operatorRoutes } from '@frameway/protocol/rest';
import type { FastifyInstance } from 'fastify';
import { secretsEqual } from '../auth/secretsEqual.js';
import type { Fleet } from '../fleet/Fleet.js';
import type { FleetEvent } from '../fleet/FleetStore.js';
import type { NetworkCoordinates } from '../latency/NetworkCoordinates.js';
import type { NodeRecord } from '../registry/NodeRecord.js';
import type { NodeRegistry } from '../registry/NodeRegistry.js';
import type { SocketServer } from '../server/SocketServer.js';
import { addRestRoute } from './addRestRoute.js';
import { createRestHost } from './createRestHost.js';
import { fastifyBridge } from './fastifyBridge.js';
import { toApiError } from './toApiError.js';

export { FLEET_ADMIN_PREFIX };

const DEFAULT_EVENTS = 50;
const MAX_EVENTS = 500;

export interface FleetAdminDeps {
  /** Bearer token; undefined turns the admin API off (403). */
  adminToken: string | undefined;
  nodes: () => readonly Readonly<NodeRecord>[];
  coordinates: NetworkCoordinates;
  gatewayRttOf: (nodeId: string) => number | undefined;
  /** Starts or lifts a drain; false for an unknown node. */
  drain: (nodeId: string, draining: boolean) => boolean;
  events: (nodeId: string, limit: number) => FleetEvent[];
}

/** The admin API's view of a running fleet: its registry, coordinates, prober, drain and event log. */
export function fleetAdminDeps(fleet: Fleet, registry: NodeRegistry, adminToken: string | undefined): FleetAdminDeps {
  return {
    adminToken,
    nodes: () => registry.list(),
    coordinates: fleet.coordinates,
    gatewayRttOf: (nodeId) => fleet.prober.gatewayRttOf(nodeId),
    drain: (nodeId, draining) => fleet.drain(nodeId, draining, 'admin'),
    events: (nodeId, limit) => fleet.store.events(nodeId, limit),
  };
}

/**
 * The operator's fleet API (protocol's `operatorRoutes`), behind
 * `Authorization: Bearer <fleet.adminToken>`:
 *   GET  /admin/fleet/nodes                     every node, live and remembered
 *   POST /admin/fleet/drain  {nodeId, draining} drain a node (or lift it): no new sessions, current ones finish
 *   GET  /admin/fleet/events?nodeId=…&limit=…   a node's history
 */
export function registerFleetAdminRoutes(server: SocketServer, deps: FleetAdminDeps): void {
  server.mount(FLEET_ADMIN_PREFIX, fastifyBridge(createFleetAdminApp(deps)));
}

/** The fleet API as a Fastify app of its own: it answers the admin token, never a studio key. */
export function createFleetAdminApp(deps: FleetAdminDeps): FastifyInstance {
  const app = createRestHost({ name: 'fleet-admin', toError: toApiError, anyContentType: true });
  app.addHook('onRequest', async (request) => authorize(request.headers.authorization, deps.adminToken));

  addRestRoute(app, 'listFleetNodes', operatorRoutes.listFleetNodes, () => ({
    nodes: deps.nodes().map((node) => describeNode(node, deps)),
  }));

  addRestRoute(app, 'drainFleetNode', operatorRoutes.drainFleetNode, ({ body }) => {
    const { nodeId, draining } = body;
    if (!deps.drain(nodeId, draining)) throw new FramewayError('FW_ERR_NOT_FOUND', `no node ${nodeId}`);
    const node = deps.nodes().find((n) => n.nodeId === nodeId);
    return {
      nodeId,
      draining,
      ...(node ? { status: node.status } : {}),
      activeSessions: node?.reservedSessions ?? 0,
    };
  });

  addRestRoute(app, 'listFleetEvents', operatorRoutes.listFleetEvents, ({ query }) => {
    if (!query.nodeId) throw new FramewayError('FW_ERR_INVALID_REQUEST', 'nodeId is required', { part: 'query' });
    // Lenient on purpose (an operator's curl): junk means the default, out of range is clamped.
    const limit = Math.min(MAX_EVENTS, Math.max(1, Number(query.limit ?? DEFAULT_EVENTS) || DEFAULT_EVENTS));
    return { events: deps.events(query.nodeId, limit) };
  });
  return app;
}

function authorize(header: string | undefined, token: string | undefined): void {
  if (token === undefined) {
    throw new FramewayError('FW_ERR_FORBIDDEN', 'the fleet admin API is off (no fleet.adminToken)');
  }
  const presented = header?.startsWith('Bearer ') ? header.slice(7) : '';
  if (!presented || !secretsEqual(presented, token)) {
    throw new FramewayError('FW_ERR_UNAUTHORIZED', 'missing or wrong admin bearer token');
  }
}

function describeNode(node: Readonly<NodeRecord>, deps: FleetAdminDeps) {
  return {
    nodeId: node.nodeId,
    address: node.address ?? null,
    status: node.status,
    draining: node.drainRequested,
    location: node.location,
    gpuModel: node.gpuModel ?? null,
    capacity: node.capacity,
    activeSessions: node.reservedSessions,
    reportedSessions: node.reportedSessions,
    cpuLoad: node.cpuLoad ?? null,
    pricePerBlock: node.pricePerBlock,
    stakeWei: node.stakeWei,
    reputation: Math.round(node.reputation * 1000) / 1000,
    sessionsCompleted: node.sessionsCompleted,
    sessionsFailed: node.sessionsFailed,
    probeUrl: node.probeUrl ?? null,
    gatewayRttMs: deps.gatewayRttOf(node.nodeId) ?? null,
    coordinate: deps.coordinates.get(node.nodeId) ?? null,
    lastHeartbeatAt: node.lastHeartbeatAt,
    firstSeenAt: node.firstSeenAt,
  };
}
