import type { FastifyInstance } from 'fastify';
import { toOpenApiPath } from './restPaths.js';

/**
 * `METHOD /path` (OpenAPI templating) of every route in a Fastify app's own
 * route tree (printRoutes), independent of any bookkeeping of ours: what the
 * app really answers. Where routes name the parameter at one position
 * differently, the tree shows `{a}|{b}`.
 */
export function servedRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = `${stack.join('')}${match[2]}`;
    stack.push(match[2]!);
    for (const method of match[3]?.split(', ') ?? []) routes.push(`${method} ${toOpenApiPath(path)}`);
  }
  return routes.sort();
}
