import { FramewayError, isErrorCode } from '@frameway/protocol';
import {
  type RestInput,
  type RestOperationId,
  type RestResponse,
  type RestRoute,
  restRoutes,
  validateRest,
} from '@frameway/protocol/rest';

export interface StudioClientOptions {
  /** The gateway, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** A studio API key (`fwk.…`). Keep it on your backend: never ship it to players. */
  apiKey: string;
  fetch?: typeof globalThis.fetch;
  /** Per attempt. */
  timeoutMs?: number;
  /**
   * Extra attempts after a 429, a 5xx or a network failure. Creating calls
   * are retried with the same Idempotency-Key, so a retry never creates twice.
   */
  retries?: number;
  /** Delay before retry n (1-based) when the server sent no Retry-After. */
  retryDelayMs?: (attempt: number) => number;
}

type Part<Op extends RestOperationId, K extends 'params' | 'query' | 'body'> = RestInput<Op, K>;

/** What one call sends: the parts its route has, plus an optional Idempotency-Key for creating calls. */
export type StudioCallInput<Op extends RestOperationId> = (Part<Op, 'params'> extends undefined
  ? { params?: undefined }
  : { params: Part<Op, 'params'> }) &
  (Part<Op, 'query'> extends undefined ? { query?: undefined } : { query?: Part<Op, 'query'> }) &
  (Part<Op, 'body'> extends undefined ? { body?: undefined } : { body: Part<Op, 'body'> }) & {
    idempotencyKey?: string;
  };

type Body<Op extends RestOperationId> = Part<Op, 'body'>;
type Query<Op extends RestOperationId> = NonNullable<Part<Op, 'query'>>;
/** Query parameters as numbers where the wire carries digits. */
type NumericLimit<Q> = Omit<Q, 'limit'> & { limit?: number };

/**
 * Typed Node client of the studio REST API, built on the route table and
 * schemas the gateway itself validates with (`@frameway/protocol/rest`).
 * Errors are FramewayErrors with the server's FW_ERR_* code; responses are
 * checked against their schema.
 * @example
 * const studio = new StudioClient({ baseUrl: 'http://127.0.0.1:8080', apiKey: process.env.FRAMEWAY_API_KEY! });
 * const title = await studio.createTitle({ kind: 'game', name: 'Demo', runtime: { type: 'scene' } });
 * const { playUrl } = await studio.createSession({ titleId: title.id, playerId: 'player-1' });
 */
export class StudioClient {
  readonly #options: Required<Omit<StudioClientOptions, 'fetch'>> & { fetch: typeof globalThis.fetch };

  constructor(options: StudioClientOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) throw new TypeError('baseUrl must be an http(s) URL');
    this.#options = {
      timeoutMs: 15_000,
      retries: 2,
      retryDelayMs: (attempt) => 250 * 2 ** (attempt - 1),
      ...options,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
    };
  }

  /** Calls any route of the API by operation id. */
  async call<Op extends RestOperationId>(operationId: Op, input: StudioCallInput<Op>): Promise<RestResponse<Op>> {
    const route: RestRoute = restRoutes[operationId];
    const { body, text } = await this.#send(route, input as CallParts);
    if (route.response === null) return text as RestResponse<Op>;
    const checked = validateRest(route.response, body);
    if (!checked.ok) {
      throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `${operationId}: the response does not match its schema`, {
        issues: checked.issues,
      });
    }
    return checked.value as RestResponse<Op>;
  }

  whoAmI(): Promise<RestResponse<'whoAmI'>> {
    return this.call('whoAmI', {});
  }

  createTitle(
    title: Body<'createTitle'>,
    options: { idempotencyKey?: string } = {},
  ): Promise<RestResponse<'createTitle'>> {
    return this.call('createTitle', { body: title, ...options });
  }

  getTitle(titleId: string): Promise<RestResponse<'getTitle'>> {
    return this.call('getTitle', { params: { titleId } });
  }

  listTitles(query: NumericLimit<Query<'listTitles'>> = {}): Promise<RestResponse<'listTitles'>> {
    return this.call('listTitles', { query: wireQuery(query) });
  }

  archiveTitle(titleId: string): Promise<RestResponse<'archiveTitle'>> {
    return this.call('archiveTitle', { params: { titleId } });
  }

  createSession(
    session: Body<'createSession'>,
    options: { idempotencyKey?: string } = {},
  ): Promise<RestResponse<'createSession'>> {
    return this.call('createSession', { body: session, ...options });
  }

  getSession(sessionId: string): Promise<RestResponse<'getSession'>> {
    return this.call('getSession', { params: { sessionId } });
  }

  listSessions(query: NumericLimit<Query<'listSessions'>> = {}): Promise<RestResponse<'listSessions'>> {
    return this.call('listSessions', { query: wireQuery(query) });
  }

  /** Every session matching the filters, page after page. */
  async *allSessions(
    query: Omit<NumericLimit<Query<'listSessions'>>, 'cursor'> = {},
  ): AsyncGenerator<RestResponse<'listSessions'>['items'][number]> {
    let cursor: string | undefined;
    do {
      const page = await this.listSessions({ ...query, ...(cursor ? { cursor } : {}) });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** The session's signed QoS minute records with their Merkle proofs (gateways running the QoS ledger). */
  getSessionQos(sessionId: string): Promise<RestResponse<'getSessionQos'>> {
    return this.call('getSessionQos', { params: { sessionId } });
  }

  terminateSession(sessionId: string): Promise<RestResponse<'terminateSession'>> {
    return this.call('terminateSession', { params: { sessionId } });
  }

  getUsage(period: { from: string | Date; to: string | Date }): Promise<RestResponse<'getUsage'>> {
    return this.call('getUsage', { query: { from: iso(period.from), to: iso(period.to) } });
  }

  createInvoice(period: { from: string | Date; to: string | Date }, options: { idempotencyKey?: string } = {}) {
    return this.call('createInvoice', { body: { from: iso(period.from), to: iso(period.to) }, ...options });
  }

  listInvoices(query: NumericLimit<Query<'listInvoices'>> = {}): Promise<RestResponse<'listInvoices'>> {
    return this.call('listInvoices', { query: wireQuery(query) });
  }

  getInvoice(invoiceId: string): Promise<RestResponse<'getInvoice'>> {
    return this.call('getInvoice', { params: { invoiceId } });
  }

  /** The invoice as CSV text, one line per session. */
  async getInvoiceCsv(invoiceId: string): Promise<string> {
    const { text } = await this.#send(restRoutes.getInvoice, { params: { invoiceId }, query: { format: 'csv' } });
    return text;
  }

  createWebhook(webhook: Body<'createWebhook'>, options: { idempotencyKey?: string } = {}) {
    return this.call('createWebhook', { body: webhook, ...options });
  }

  listWebhooks(): Promise<RestResponse<'listWebhooks'>> {
    return this.call('listWebhooks', {});
  }

  deleteWebhook(webhookId: string): Promise<RestResponse<'deleteWebhook'>> {
    return this.call('deleteWebhook', { params: { webhookId } });
  }

  listWebhookDeliveries(
    webhookId: string,
    query: NumericLimit<Query<'listWebhookDeliveries'>> = {},
  ): Promise<RestResponse<'listWebhookDeliveries'>> {
    return this.call('listWebhookDeliveries', { params: { webhookId }, query: wireQuery(query) });
  }

  listApiKeys(): Promise<RestResponse<'listApiKeys'>> {
    return this.call('listApiKeys', {});
  }

  createApiKey(key: Body<'createApiKey'>, options: { idempotencyKey?: string } = {}) {
    return this.call('createApiKey', { body: key, ...options });
  }

  rotateApiKey(keyId: string, options: { graceSeconds?: number; idempotencyKey?: string } = {}) {
    const { graceSeconds, idempotencyKey } = options;
    return this.call('rotateApiKey', {
      params: { keyId },
      body: graceSeconds === undefined ? {} : { graceSeconds },
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
  }

  revokeApiKey(keyId: string): Promise<RestResponse<'revokeApiKey'>> {
    return this.call('revokeApiKey', { params: { keyId } });
  }

  async #send(route: RestRoute, input: CallParts): Promise<{ body: unknown; text: string }> {
    const { baseUrl, apiKey, retries, retryDelayMs, timeoutMs } = this.#options;
    const path = route.path.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => {
      const value = (input.params as Record<string, unknown> | undefined)?.[name];
      if (typeof value !== 'string' || value === '') throw new TypeError(`missing path parameter ${name}`);
      return encodeURIComponent(value);
    });
    const url = new URL(`${baseUrl}${path}`);
    for (const [name, value] of Object.entries(input.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, accept: 'application/json' };
    if (input.body !== undefined) headers['content-type'] = 'application/json';
    if (route.idempotent) headers['idempotency-key'] = input.idempotencyKey ?? crypto.randomUUID();
    const payload = input.body === undefined ? undefined : JSON.stringify(input.body);
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      let response: Response;
      let text: string;
      try {
        response = await this.#options.fetch(url, {
          method: route.method,
          headers,
          ...(payload === undefined ? {} : { body: payload }),
          signal: controller.signal,
        });
        text = await response.text();
      } catch (cause) {
        if (attempt < retries) {
          await sleep(retryDelayMs(attempt + 1));
          continue;
        }
        const code = controller.signal.aborted ? 'FW_ERR_TIMEOUT' : 'FW_ERR_CONNECTION_CLOSED';
        const what = controller.signal.aborted ? `did not answer within ${timeoutMs} ms` : 'could not be reached';
        throw new FramewayError(code, `${route.method} ${url.pathname} ${what}`, undefined, { cause });
      } finally {
        clearTimeout(timer);
      }
      const retryable = response.status === 429 || response.status >= 500;
      if (retryable && attempt < retries) {
        const after = Number(response.headers.get('retry-after'));
        await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : retryDelayMs(attempt + 1));
        continue;
      }
      let body: unknown;
      if ((response.headers.get('content-type') ?? '').includes('json')) {
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
      }
      if (!response.ok) throw errorFrom(response.status, body, `${route.method} ${url.pathname}`);
      return { body, text };
    }
  }
}

interface CallParts {
  params?: unknown;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
  idempotencyKey?: string | undefined;
}

function errorFrom(status: number, body: unknown, what: string): FramewayError {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const code = isErrorCode(fields.code) ? fields.code : status === 404 ? 'FW_ERR_NOT_FOUND' : 'FW_ERR_INTERNAL';
  const message = typeof fields.message === 'string' ? fields.message : `${what} answered HTTP ${status}`;
  const details = typeof fields.details === 'object' && fields.details !== null ? fields.details : {};
  return new FramewayError(code, message, { ...details, status });
}

function wireQuery<Q extends { limit?: number }>(query: Q): Omit<Q, 'limit'> & { limit?: string } {
  const { limit, ...rest } = query;
  return limit === undefined ? rest : { ...rest, limit: String(limit) };
}

function iso(value: string | Date): string {
  return typeof value === 'string' ? value : value.toISOString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
