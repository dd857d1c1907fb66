import { FramewayError } from '@frameway/protocol';
import * as v from 'valibot';
import { secretsEqual } from '../auth/secretsEqual.js';
import type { NetworkCoordinates } from '../latency/NetworkCoordinates.js';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { errorResponse, jsonResponse } from '../server/httpResponses.js';
import type { HttpRequest, HttpResponse, SocketServer } from '../server/SocketServer.js';
import type { FleetEvent } from './FleetStore.js';

export const FLEET_ADMIN_PREFIX = '/admin/fleet';

const DrainBody = v.strictObject({
  nodeId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9._:-]{1,64}$/)),
  draining: v.optional(v.boolean(), true),
});

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

/**
 * The operator's fleet API, behind `Authorization: Bearer <fleet.adminToken>`:
 *   GET  /admin/fleet/nodes                     every node, live and remembered
 *   POST /admin/fleet/drain  {nodeId, draining} drain a node (or lift it): no new sessions, current ones finish
 *   GET  /admin/fleet/events?nodeId=…&limit=…   a node's history
 */
export function registerFleetAdminRoutes(server: SocketServer, deps: FleetAdminDeps): void {
  const guarded =
    (handler: (request: HttpRequest) => HttpResponse) =>
    (request: HttpRequest): HttpResponse => {
      try {
        authorize(request, deps.adminToken);
        return handler(request);
      } catch (error) {
        return errorResponse(error);
      }
    };

  server.route(
    'GET',
    `${FLEET_ADMIN_PREFIX}/nodes`,
    guarded(() => jsonResponse(200, { nodes: deps.nodes().map((node) => describeNode(node, deps)) })),
  );

  server.route(
    'POST',
    `${FLEET_ADMIN_PREFIX}/drain`,
    guarded((request) => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.from(request.body).toString('utf8'));
      } catch {
        throw new FramewayError('FW_ERR_INVALID_REQUEST', 'the body must be JSON: { "nodeId": "…", "draining": true }');
      }
      const parsed = v.safeParse(DrainBody, body);
      if (!parsed.success) {
        throw new FramewayError('FW_ERR_INVALID_REQUEST', `invalid drain request: ${parsed.issues[0].message}`);
      }
      const { nodeId, draining } = parsed.output;
      if (!deps.drain(nodeId, draining)) throw new FramewayError('FW_ERR_NOT_FOUND', `no node ${nodeId}`);
      const node = deps.nodes().find((n) => n.nodeId === nodeId);
      return jsonResponse(200, { nodeId, draining, status: node?.status, activeSessions: node?.reservedSessions ?? 0 });
    }),
  );

  server.route(
    'GET',
    `${FLEET_ADMIN_PREFIX}/events`,
    guarded((request) => {
      const nodeId = request.query.get('nodeId');
      if (!nodeId) throw new FramewayError('FW_ERR_INVALID_REQUEST', 'nodeId is required');
      const limit = Math.min(500, Math.max(1, Number(request.query.get('limit') ?? 50) || 50));
      return jsonResponse(200, { events: deps.events(nodeId, limit) });
    }),
  );
}

function authorize(request: HttpRequest, token: string | undefined): void {
  if (token === undefined)
    throw new FramewayError('FW_ERR_FORBIDDEN', 'the fleet admin API is off (no fleet.adminToken)');
  const header = request.headers.authorization ?? '';
  const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
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
