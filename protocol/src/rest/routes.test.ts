import { describe, expect, it } from 'vitest';
import { FLEET_ADMIN_PREFIX, operatorRoutes } from './operatorRoutes.js';
import { restRoutes } from './routes.js';
import { CreateTitleRequest } from './titles.js';
import { validateRest } from './validateRest.js';
import { socketPaths } from './wirePaths.js';

const routes = Object.entries(restRoutes);

describe('REST route table', () => {
  it('names every path parameter in its params schema, and nothing else', () => {
    for (const [id, route] of routes) {
      const inPath = [...route.path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]).sort();
      const params =
        'params' in route ? Object.keys((route.params as unknown as { entries: Record<string, unknown> }).entries) : [];
      expect(params.sort(), id).toEqual(inPath);
    }
  });

  it('has one route per method and path, all under /v1', () => {
    const keys = routes.map(([, r]) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^(GET|POST|DELETE) \/v1\//);
  });

  it('accepts an Idempotency-Key on every POST made with a key, and only there', () => {
    // Idempotency keys are kept per studio: a public POST (the demo session) has no studio to keep them for.
    for (const [id, route] of routes) {
      const keyed = route.method === 'POST' && route.auth !== 'public';
      expect('idempotent' in route && route.idempotent === true, id).toBe(keyed);
    }
    expect(routes.filter(([, r]) => r.method === 'POST' && r.auth === 'public').map(([id]) => id)).toEqual([
      'createDemoSession',
    ]);
  });

  it('gives every route either a JSON response schema or another media type', () => {
    for (const [id, route] of routes) expect(route.response !== null || 'produces' in route, id).toBe(true);
  });
});

describe('every wire path of the gateway', () => {
  const studio = routes.map(([, r]) => r.path);
  const operator = Object.values(operatorRoutes).map((r) => r.path);
  const sockets = Object.values(socketPaths);

  it('is defined once: no socket path is also an HTTP route, no operator route repeats', () => {
    const all = [...new Set(studio), ...operator, ...sockets];
    expect(new Set(all).size).toBe(all.length);
  });

  it('keeps the fleet API under its prefix and behind the admin token; only the health probe is public', () => {
    for (const [id, route] of Object.entries(operatorRoutes)) {
      if (route.auth === 'public') expect(id).toBe('getHealth');
      else expect(route.path.startsWith(`${FLEET_ADMIN_PREFIX}/`), id).toBe(true);
    }
  });

  it('names the sockets agents and players already dial', () => {
    expect(socketPaths).toEqual({ agent: '/ws/agent', player: '/ws/player', probe: '/probe' });
  });
});

describe('validateRest', () => {
  it('fills defaults and reports each problem with the path of its field', () => {
    const ok = validateRest(CreateTitleRequest, { kind: 'game', name: 'G', runtime: { type: 'scene' } });
    expect(ok).toEqual({
      ok: true,
      value: {
        kind: 'game',
        name: 'G',
        runtime: { type: 'scene' },
        requirements: {
          gpuClass: 'any',
          resolution: { width: 1280, height: 720 },
          fps: 60,
          latencyBudgetMs: 30,
          maxSessionMinutes: 240,
          regions: [],
        },
      },
    });
    const bad = validateRest(CreateTitleRequest, {
      kind: 'game',
      name: 'G',
      runtime: { type: 'container', image: 'UPPER' },
      requirements: { resolution: { width: 1281, height: 720 } },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.issues.map((issue) => issue.path).sort()).toEqual(['requirements.resolution.width', 'runtime.image']);
    }
  });

  it('turns query strings into numbers only within range', () => {
    const query = restRoutes.listSessions.query;
    expect(validateRest(query, { limit: '25' })).toMatchObject({ ok: true, value: { limit: 25 } });
    for (const limit of ['0', '101', '1e2', '-1', 'ten']) expect(validateRest(query, { limit }).ok, limit).toBe(false);
  });
});
