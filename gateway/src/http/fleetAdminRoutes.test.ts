import { describe, expect, it } from 'vitest';
import type { FleetEvent } from '../fleet/FleetStore.js';
import { NetworkCoordinates } from '../latency/NetworkCoordinates.js';
import type { NodeRecord } from '../registry/NodeRecord.js';
import type { HttpHandler, HttpRequest, SocketServer } from '../server/SocketServer.js';
import { nodeRecord } from '../testing/nodeRecord.js';
import { FLEET_ADMIN_PREFIX, registerFleetAdminRoutes } from './fleetAdminRoutes.js';

const TOKEN = 'a-long-enough-admin-token';

/** The admin routes on a stand-in server, called directly; `null` = no admin token configured. */
function admin(adminToken: string | null = TOKEN) {
  const mounts = new Map<string, HttpHandler>();
  const server = {
    mount: (prefix: string, handler: HttpHandler) => mounts.set(prefix, handler),
  } as unknown as SocketServer;
  const nodes: NodeRecord[] = [nodeRecord('n1', { reservedSessions: 1, reputation: 0.81234 }), nodeRecord('n2')];
  const coordinates = new NetworkCoordinates();
  coordinates.set('n1', { vec: [1, 2, 3, 4], height: 1, error: 0.2 });
  const drains: [string, boolean][] = [];
  const events: FleetEvent[] = [{ nodeId: 'n1', at: 5, kind: 'up', detail: undefined }];
  const eventQueries: [string, number][] = [];
  registerFleetAdminRoutes(server, {
    adminToken: adminToken ?? undefined,
    nodes: () => nodes,
    coordinates,
    gatewayRttOf: (nodeId) => (nodeId === 'n1' ? 4.5 : undefined),
    drain: (nodeId, draining) => {
      const node = nodes.find((n) => n.nodeId === nodeId);
      if (!node) return false;
      drains.push([nodeId, draining]);
      node.status = draining ? 'draining' : 'up';
      return true;
    },
    events: (nodeId, limit) => {
      eventQueries.push([nodeId, limit]);
      return events.filter((e) => e.nodeId === nodeId);
    },
  });
  const call = async (
    method: 'GET' | 'POST',
    path: string,
    options: { token?: string | null; body?: string; query?: string; headers?: Record<string, string> } = {},
  ) => {
    const handler = mounts.get(FLEET_ADMIN_PREFIX);
    if (!handler) throw new Error(`nothing mounted at ${FLEET_ADMIN_PREFIX}`);
    const token = options.token === undefined ? TOKEN : options.token;
    const request: HttpRequest = {
      method,
      path: `${FLEET_ADMIN_PREFIX}${path}`,
      query: new URLSearchParams(options.query ?? ''),
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...options.headers },
      body: new TextEncoder().encode(options.body ?? ''),
      remoteAddress: '127.0.0.1',
    };
    const response = await handler(request);
    return { status: response.status, body: JSON.parse(String(response.body)) };
  };
  return { call, drains, eventQueries };
}

describe('fleet admin routes', () => {
  it('are off (403) without an admin token, and want the right bearer token (401)', async () => {
    const off = admin(null);
    expect(await off.call('GET', '/nodes')).toMatchObject({ status: 403, body: { code: 'FW_ERR_FORBIDDEN' } });
    const on = admin();
    expect(await on.call('GET', '/nodes', { token: null })).toMatchObject({
      status: 401,
      body: { code: 'FW_ERR_UNAUTHORIZED' },
    });
    expect(await on.call('GET', '/nodes', { token: 'a-long-enough-admin-tokeN' })).toMatchObject({ status: 401 });
    expect(await on.call('POST', '/drain', { token: 'wrong', body: '{"nodeId":"n1"}' })).toMatchObject({
      status: 401,
    });
    expect(on.drains).toEqual([]);
  });

  it('lists every node with its load, reputation, coordinate and gateway RTT', async () => {
    const { call } = admin();
    const { status, body } = await call('GET', '/nodes');
    expect(status).toBe(200);
    expect(body.nodes).toHaveLength(2);
    expect(body.nodes[0]).toMatchObject({
      nodeId: 'n1',
      status: 'up',
      activeSessions: 1,
      reputation: 0.812,
      gatewayRttMs: 4.5,
      coordinate: { vec: [1, 2, 3, 4], height: 1, error: 0.2 },
    });
    expect(body.nodes[1]).toMatchObject({ nodeId: 'n2', gatewayRttMs: null, coordinate: null, address: null });
  });

  it('drains a node and lifts the drain', async () => {
    const { call, drains } = admin();
    expect(await call('POST', '/drain', { body: '{"nodeId":"n1"}' })).toEqual({
      status: 200,
      body: { nodeId: 'n1', draining: true, status: 'draining', activeSessions: 1 },
    });
    expect(await call('POST', '/drain', { body: '{"nodeId":"n1","draining":false}' })).toMatchObject({
      body: { draining: false, status: 'up' },
    });
    expect(drains).toEqual([
      ['n1', true],
      ['n1', false],
    ]);
  });

  it('refuses a drain request that is not JSON, malformed, or for an unknown node', async () => {
    const { call, drains } = admin();
    expect(await call('POST', '/drain', { body: 'n1' })).toMatchObject({
      status: 400,
      body: { code: 'FW_ERR_INVALID_REQUEST' },
    });
    expect(await call('POST', '/drain', { body: '{"nodeId":"bad id!"}' })).toMatchObject({ status: 400 });
    expect(await call('POST', '/drain', { body: '{"nodeId":"n1","extra":1}' })).toMatchObject({ status: 400 });
    expect(await call('POST', '/drain', { body: '{"nodeId":"ghost"}' })).toMatchObject({
      status: 404,
      body: { code: 'FW_ERR_NOT_FOUND' },
    });
    expect(drains).toEqual([]);
  });

  it('lists a node’s events, with the limit kept between 1 and 500', async () => {
    const { call, eventQueries } = admin();
    expect(await call('GET', '/events', { query: 'nodeId=n1' })).toEqual({
      status: 200,
      body: { events: [{ nodeId: 'n1', at: 5, kind: 'up' }] },
    });
    await call('GET', '/events', { query: 'nodeId=n1&limit=100000' });
    await call('GET', '/events', { query: 'nodeId=n1&limit=abc' });
    await call('GET', '/events', { query: 'nodeId=n1&limit=-5' });
    expect(eventQueries.map(([, limit]) => limit)).toEqual([50, 500, 50, 1]);
    expect(await call('GET', '/events')).toMatchObject({ status: 400, body: { code: 'FW_ERR_INVALID_REQUEST' } });
  });

  it('reads a drain body as JSON whatever type curl gives it, and answers unknown admin paths with a JSON 404', async () => {
    const { call, drains } = admin();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(await call('POST', '/drain', { body: '{"nodeId":"n1"}', headers: form })).toMatchObject({
      status: 200,
      body: { nodeId: 'n1', draining: true },
    });
    expect(drains).toEqual([['n1', true]]);
    expect(await call('GET', '/nothing')).toMatchObject({ status: 404, body: { code: 'FW_ERR_NOT_FOUND' } });
  });
});
