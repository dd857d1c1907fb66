import { type ErrorCode, ErrorCodes } from '@frameway/protocol';
import * as rest from '@frameway/protocol/rest';
import { type ConversionConfig, type JsonSchema, toJsonSchema, toJsonSchemaDefs } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import type { DocumentedRoute } from './fastifyTypes.js';

/** Named schemas: they become `components.schemas` and every use of them a `$ref`. */
const components = {
  ErrorBody: rest.ErrorBody,
  Studio: rest.Studio,
  ApiKey: rest.ApiKey,
  WhoAmI: rest.WhoAmI,
  CreateApiKeyRequest: rest.CreateApiKeyRequest,
  CreatedApiKey: rest.CreatedApiKey,
  RotateApiKeyRequest: rest.RotateApiKeyRequest,
  TitleRequirements: rest.TitleRequirements,
  GameRuntime: rest.GameRuntime,
  AndroidApp: rest.AndroidApp,
  CreateTitleRequest: rest.CreateTitleRequest,
  Title: rest.Title,
  CreateSessionRequest: rest.CreateSessionRequest,
  SessionLive: rest.SessionLive,
  SessionBilling: rest.SessionBilling,
  Session: rest.Session,
  SessionHistoryEntry: rest.SessionHistoryEntry,
  SessionDetail: rest.SessionDetail,
  CreatedSession: rest.CreatedSession,
  UsageByTitle: rest.UsageByTitle,
  UsageReport: rest.UsageReport,
  InvoiceLine: rest.InvoiceLine,
  InvoiceSummary: rest.InvoiceSummary,
  Invoice: rest.Invoice,
  CreateInvoiceRequest: rest.CreateInvoiceRequest,
  CreateWebhookRequest: rest.CreateWebhookRequest,
  Webhook: rest.Webhook,
  CreatedWebhook: rest.CreatedWebhook,
  DeliveryAttempt: rest.DeliveryAttempt,
  WebhookDelivery: rest.WebhookDelivery,
  WebhookEvent: rest.WebhookEvent,
  QosMinuteRecord: rest.QosMinuteRecord,
  SessionQos: rest.SessionQos,
  DemoSession: rest.DemoSession,
} satisfies Record<string, v.GenericSchema>;

const conversion: ConversionConfig = {
  target: 'draft-2020-12',
  overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
  // Cross-field checks have no JSON Schema form; where one matters the schema carries it as metadata.
  ignoreActions: ['check'],
};

const SECURITY_SCHEME = 'apiKey';

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
  /** Base URL of the gateway, e.g. http://127.0.0.1:8080 */
  serverUrl?: string | undefined;
}

type OpenApiObject = Record<string, unknown>;

/**
 * The OpenAPI 3.1 document of the routes registered on the API: generated
 * from the same valibot schemas that validate requests, so the two cannot
 * drift. Webhook bodies are documented under `webhooks`.
 */
export function buildOpenApiDocument(routes: readonly DocumentedRoute[], info: OpenApiInfo): OpenApiObject {
  const paths: Record<string, Record<string, OpenApiObject>> = {};
  const tags = new Set<string>();
  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path))) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route);
    tags.add(route.tag);
  }
  const schemas = toJsonSchemaDefs(components, conversion) as Record<string, JsonSchema>;
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description: info.description,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    webhooks: webhookOperations(),
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, clean(schema)])),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'fwk.<keyId>.<secret>',
          description:
            'A studio API key: `Authorization: Bearer fwk.…`. Each operation lists the scope it needs; a key without it gets 403 FW_ERR_INSUFFICIENT_SCOPE.',
        },
      },
    },
  };
}

function operation(route: DocumentedRoute): OpenApiObject {
  const parameters: OpenApiObject[] = [
    ...objectParameters(route.params, 'path', 'ignore'),
    ...objectParameters(route.query, 'query', 'input'),
  ];
  if (route.idempotent) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Makes a retry safe: the same key with the same request returns the first response (header Idempotent-Replayed: true); with another request, 409 FW_ERR_IDEMPOTENCY_CONFLICT. Keys live 24 h.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
    });
  }
  const scope = route.auth !== 'public' && route.auth !== 'key' ? route.auth : undefined;
  const result: OpenApiObject = {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description || scope
      ? { description: [route.description, scope ? `Requires scope \`${scope}\`.` : ''].filter(Boolean).join('\n\n') }
      : {}),
    tags: [route.tag],
    security: route.auth === 'public' ? [] : [{ [SECURITY_SCHEME]: scope ? [scope] : [] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    responses: responses(route),
  };
  if (scope) result['x-required-scope'] = scope;
  if (route.body) {
    const optional = (route.body as { type?: string }).type === 'optional';
    result.requestBody = {
      required: !optional,
      content: { 'application/json': { schema: convert(route.body, 'ignore') } },
    };
  }
  return result;
}

function responses(route: DocumentedRoute): OpenApiObject {
  const content: Record<string, OpenApiObject> = {};
  if (route.response) content['application/json'] = { schema: convert(route.response, 'ignore') };
  if (route.produces) content[route.produces] = { schema: { type: 'string' } };
  const success: OpenApiObject = { description: route.summary, content };
  if (route.idempotent) {
    success.headers = {
      'Idempotent-Replayed': {
        description: 'true when this is the stored response of an earlier request with the same Idempotency-Key',
        schema: { type: 'string', enum: ['true'] },
      },
    };
  }
  const result: OpenApiObject = { [String(route.status)]: success };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(route)) {
    const status = ErrorCodes[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    const response: OpenApiObject = {
      description: codes.map((code) => `\`${code}\`: ${ErrorCodes[code].description}`).join('\n\n'),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
    };
    if (status === 429) {
      response.headers = {
        'Retry-After': { description: 'Seconds until a request may succeed', schema: { type: 'integer' } },
      };
    }
    result[String(status)] = response;
  }
  return result;
}

/** Route-specific codes plus the ones every route of its kind can answer. */
export function errorCodesOf(route: DocumentedRoute): ErrorCode[] {
  const codes = new Set<ErrorCode>(route.errors);
  if (route.auth !== 'public') {
    for (const code of [
      'FW_ERR_UNAUTHORIZED',
      'FW_ERR_TOKEN_EXPIRED',
      'FW_ERR_API_KEY_REVOKED',
      'FW_ERR_FORBIDDEN',
    ] as const) {
      codes.add(code);
    }
  }
  if (route.auth !== 'public' && route.auth !== 'key') codes.add('FW_ERR_INSUFFICIENT_SCOPE');
  if (route.params || route.query || route.body) codes.add('FW_ERR_INVALID_REQUEST');
  if (route.body) {
    codes.add('FW_ERR_UNSUPPORTED_MEDIA_TYPE');
    codes.add('FW_ERR_MESSAGE_TOO_LARGE');
  }
  if (route.idempotent) codes.add('FW_ERR_IDEMPOTENCY_CONFLICT');
  codes.add('FW_ERR_RATE_LIMITED');
  codes.add('FW_ERR_INTERNAL');
  return [...codes];
}

function objectParameters(
  schema: v.GenericSchema | undefined,
  location: 'path' | 'query',
  typeMode: 'ignore' | 'input',
): OpenApiObject[] {
  if (!schema) return [];
  const json = convert(schema, typeMode) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property as JsonSchema & { description?: string };
    return {
      name,
      in: location,
      required: location === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function webhookOperations(): OpenApiObject {
  const result: OpenApiObject = {};
  for (const option of rest.WebhookEvent.options) {
    const type = option.entries.type.literal;
    result[type] = {
      post: {
        operationId: `webhook_${type.replace(/\./g, '_')}`,
        summary: `The ${type} event, POSTed to endpoints subscribed to it`,
        description:
          'Verify `Frameway-Signature: t=<unix seconds>,v1=<hex>` before trusting the body: HMAC-SHA256 with the endpoint secret over `<t>.<raw body>`, compared in constant time, and reject t further than 300 s from your clock. Answer 2xx within 10 s; anything else is retried with backoff.',
        tags: ['webhooks'],
        parameters: [
          {
            name: rest.WEBHOOK_SIGNATURE_HEADER,
            in: 'header',
            required: true,
            schema: { type: 'string', pattern: '^t=\\d+,v1=[0-9a-f]{64}$' },
          },
          { name: 'frameway-event-id', in: 'header', required: true, schema: { type: 'string' } },
          { name: 'frameway-delivery-id', in: 'header', required: true, schema: { type: 'string' } },
          { name: 'frameway-delivery-attempt', in: 'header', required: true, schema: { type: 'string' } },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: convert(option, 'ignore') } } },
        responses: { '200': { description: 'Received (any 2xx status)' } },
      },
    };
  }
  return result;
}

function convert(schema: v.GenericSchema, typeMode: 'ignore' | 'input'): JsonSchema {
  return clean(toJsonSchema(schema, { ...conversion, definitions: components, typeMode }));
}

/** Drops what belongs to a standalone JSON Schema document, not to an embedded one. */
function clean(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $defs: _defs, ...rest } = schema as JsonSchema & { $schema?: string; $defs?: unknown };
  return rest;
}
