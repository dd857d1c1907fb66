import {
  FLEET_ADMIN_PREFIX,
  type OperatorRoute,
  operatorRoutes,
  type RestRoute,
  restRoutes,
  socketPaths,
} from '@frameway/protocol/rest';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { startStudioGateway } from '../testing/startStudioGateway.js';
import { servedRoutes } from './servedRoutes.js';

/** Everything the gateway registers on its listener, recorded as it registers it. */
const registered = vi.hoisted(() => ({
  /** Every Fastify app served through fastifyBridge. */
  apps: [] as FastifyInstance[],
  /** `METHOD /path` of the listener's exact routes. */
  routes: [] as string[],
  mounts: [] as string[],
  sockets: [] as string[],
  fallbacks: 0,
}));

vi.mock('./fastifyBridge.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./fastifyBridge.js')>();
  return {
    fastifyBridge: (app: FastifyInstance) => {
      registered.apps.push(app);
      return original.fastifyBridge(app);
    },
  };
});

vi.mock('../server/createSocketServer.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../server/createSocketServer.js')>();
  return {
    ...original,
    createSocketServer: (...args: Parameters<typeof original.createSocketServer>) => {
      const server = original.createSocketServer(...args);
      const { route, mount, websocket, fallback } = server;
      server.route = (method, path, handler) => {
        registered.routes.push(`${method} ${path}`);
        route.call(server, method, path, handler);
      };
      server.mount = (prefix, handler) => {
        registered.mounts.push(prefix);
        mount.call(server, prefix, handler);
      };
      server.websocket = (path, handlers) => {
        registered.sockets.push(path);
        websocket.call(server, path, handlers);
      };
      server.fallback = (handler) => {
        registered.fallbacks++;
        fallback.call(server, handler);
      };
      return server;
    },
  };
});

const contract: readonly (RestRoute | OperatorRoute)[] = [
  ...Object.values(restRoutes),
  ...Object.values(operatorRoutes),
];
const contractKeys = contract.map((route) => `${route.method} ${route.path}`).sort();

describe('the gateway’s wire surface', () => {
  it('serves exactly the routes and sockets of protocol’s contract, and static files for the rest', async () => {
    await using gw = await startStudioGateway({
      config: { ledger: { chain: { kind: 'none' } }, fleet: { adminToken: 'a-long-enough-admin-token' } },
    });
    for (const app of registered.apps) await app.ready();
    const served = registered.apps.flatMap((app) => servedRoutes(app));

    // Fastify routes: each one an entry of the route tables, and every entry served once.
    for (const route of served) expect(contractKeys, `${route} is not in protocol's route tables`).toContain(route);
    expect(served.sort()).toEqual(contractKeys);

    // The listener's own routes only hand a contract route to its Fastify app.
    for (const route of registered.routes) expect(contractKeys, route).toContain(route);
    // A mount serves one prefix of contract routes.
    expect(registered.mounts.sort()).toEqual([FLEET_ADMIN_PREFIX, '/v1']);
    for (const prefix of registered.mounts) {
      expect(
        contract.some((route) => route.path.startsWith(`${prefix}/`)),
        prefix,
      ).toBe(true);
    }
    expect(registered.sockets.sort()).toEqual(Object.values(socketPaths).sort());
    expect(registered.fallbacks).toBe(1);

    // What the walk found is what answers: a contract route, a socket path, and a JSON 404 elsewhere.
    const health = await gw.call('GET', operatorRoutes.getHealth.path);
    expect(health.body).toMatchObject({ status: 'ok', engine: 'node', nodes: 0, sessions: 0 });
    expect(health.headers.get('cache-control')).toBe('no-store');
    const missing = await gw.call('GET', '/no/such/path');
    expect([missing.status, missing.body.code]).toEqual([404, 'FW_ERR_NOT_FOUND']);
  });

  it('keeps only the demo route of /v1 when the studio API is off', async () => {
    registered.routes.length = 0;
    registered.mounts.length = 0;
    await using gw = await startStudioGateway({ config: { studioApi: { enabled: false } } });
    expect(registered.mounts).toEqual([FLEET_ADMIN_PREFIX]);
    expect(registered.routes.sort()).toEqual([
      `${operatorRoutes.getHealth.method} ${operatorRoutes.getHealth.path}`,
      `${restRoutes.createDemoSession.method} ${restRoutes.createDemoSession.path}`,
    ]);
    const demo = await gw.call('POST', restRoutes.createDemoSession.path);
    expect([demo.status, demo.body.code]).toEqual([403, 'FW_ERR_FORBIDDEN']);
    const titles = await gw.call('GET', restRoutes.listTitles.path, { key: 'fwk.any.key' });
    expect([titles.status, titles.body.code]).toEqual([404, 'FW_ERR_NOT_FOUND']);
  });
});
