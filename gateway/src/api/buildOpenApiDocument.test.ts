import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedRoutes } from '../http/servedRoutes.js';
import { type StudioTestGateway, startStudioGateway } from '../testing/startStudioGateway.js';
import { addRestRoute } from './addRestRoute.js';

/** Pairs every served route with exactly one documented route, and the reverse. */
function expectSameRoutes(documented: readonly string[], served: readonly string[]): void {
  expect(documented.length).toBe(served.length);
  const unmatched = [...documented];
  for (const pattern of served) {
    const regex = new RegExp(
      `^${pattern
        .split(/(\{[A-Za-z0-9_]+\}(?:\|\{[A-Za-z0-9_]+\})*)/)
        .map((part, i) => (i % 2 === 1 ? `(?:${part.split('|').map(escapeRegExp).join('|')})` : escapeRegExp(part)))
        .join('')}$`,
    );
    const at = unmatched.findIndex((route) => regex.test(route));
    expect(at, `${pattern} is not documented`).toBeGreaterThanOrEqual(0);
    unmatched.splice(at, 1);
  }
  expect(unmatched).toEqual([]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function documentedRoutes(document: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/** A plugin as another feature would write it: one plain Fastify route, one through addRestRoute. */
async function qosLikePlugin(app: FastifyInstance): Promise<void> {
  app.get(
    '/v1/sessions/:sessionId/qos',
    {
      schema: {
        summary: 'Minute verdicts of a session',
        tags: ['sessions'],
        params: v.strictObject({ sessionId: v.string() }),
        response: { 200: v.object({ minutes: v.array(v.number()) }) },
      },
      config: { auth: 'sessions:read', errors: ['FW_ERR_SESSION_NOT_FOUND'] },
    },
    async () => ({ minutes: [1, 2] }),
  );
  addRestRoute(
    app,
    'pingPlugin',
    {
      method: 'POST',
      path: '/v1/plugin/ping',
      summary: 'Echo',
      tag: 'other',
      auth: 'key',
      body: v.strictObject({ n: v.number() }),
      status: 200,
      response: v.object({ n: v.number() }),
      errors: [],
    },
    ({ body }) => ({ n: body.n + 1 }),
  );
}

describe('OpenAPI document', () => {
  let gw: StudioTestGateway;
  let document: any;

  beforeAll(async () => {
    gw = await startStudioGateway({ overrides: { plugins: [qosLikePlugin] } });
    document = (await gw.call('GET', '/v1/openapi.json')).body;
  });
  afterAll(() => gw.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: gw.url }]);
  });

  it('documents exactly the routes the server has, plugin routes included', () => {
    const served = servedRoutes(gw.gateway.studio.app);
    expect(served.length).toBeGreaterThanOrEqual(25);
    expectSameRoutes(documentedRoutes(document), served);
    expect(documentedRoutes(document)).toContain('GET /v1/sessions/{sessionId}/qos');
  });

  it('derives parameters, bodies, scopes and errors from the route schemas', () => {
    const create = document.paths['/v1/sessions'].post;
    expect(create['x-required-scope']).toBe('sessions:write');
    expect(create.security).toEqual([{ apiKey: ['sessions:write'] }]);
    expect(create.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CreateSessionRequest',
    });
    expect(create.parameters.map((p: { name: string }) => p.name)).toEqual(['Idempotency-Key']);
    expect(Object.keys(create.responses)).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '429',
      '500',
    ]);
    expect(create.responses['404'].description).toContain('FW_ERR_TITLE_NOT_FOUND');
    const list = document.paths['/v1/sessions'].get;
    expect(list.parameters.find((p: { name: string }) => p.name === 'limit')).toMatchObject({
      in: 'query',
      required: false,
      schema: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' },
    });
    expect(document.paths['/v1/keys/{keyId}/rotate'].post.requestBody.required).toBe(false);
    expect(document.paths['/v1/openapi.json'].get.security).toEqual([]);
    expect(document.paths['/v1/invoices/{invoiceId}'].get.responses['200'].content).toHaveProperty('text/csv');
    expect(document.paths['/v1/sessions/{sessionId}/qos'].get).toMatchObject({
      'x-required-scope': 'sessions:read',
      tags: ['sessions'],
    });
    expect(document.paths['/v1/demo/session'].post).toMatchObject({
      operationId: 'createDemoSession',
      security: [],
      responses: {
        '201': { content: { 'application/json': { schema: { $ref: '#/components/schemas/DemoSession' } } } },
      },
    });
    expect(Object.keys(document.webhooks).sort()).toEqual([
      'invoice.ready',
      'qos.sla_breach',
      'session.ended',
      'session.failed_over',
      'session.started',
    ]);
  });

  it('guards and validates plugin routes like its own', async () => {
    const { key } = gw.studio();
    expect((await gw.call('GET', '/v1/sessions/ses_1/qos')).status).toBe(401);
    expect((await gw.call('GET', '/v1/sessions/ses_1/qos', { key })).body).toEqual({ minutes: [1, 2] });
    expect((await gw.call('POST', '/v1/plugin/ping', { key, body: { n: 1 } })).body).toEqual({ n: 2 });
    expect((await gw.call('POST', '/v1/plugin/ping', { key, body: { n: 'x' } })).body.code).toBe(
      'FW_ERR_INVALID_REQUEST',
    );
  });

  it('is rendered as a self-contained HTML reference at /v1/docs', async () => {
    const page = await gw.call('GET', '/v1/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    for (const item of Object.values(document.paths) as Record<string, { operationId: string }>[]) {
      for (const op of Object.values(item)) expect(page.text).toContain(`id="${op.operationId}"`);
    }
    for (const name of Object.keys(document.components.schemas)) expect(page.text).toContain(`id="schema-${name}"`);
    expect(page.text).not.toMatch(/<script|<link|src=|https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
  });
});

describe('OpenAPI document of a gateway as configured by default', () => {
  it('is valid and lists exactly the routes served, including other features’ plugins', async () => {
    await using gw = await startStudioGateway({ overrides: {} });
    const document = (await gw.call('GET', '/v1/openapi.json')).body;
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expectSameRoutes(documentedRoutes(document), servedRoutes(gw.gateway.studio.app));
  });
});
