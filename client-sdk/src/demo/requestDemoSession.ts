import { FramewayError, isErrorCode } from '@frameway/protocol';
import { DEMO_SESSION_PATH, type DemoSession } from '@frameway/protocol/rest';
import { signalingUrlFor } from '../signaling/signalingUrl.js';

// The route (createDemoSession in protocol's route table) and its answer are the contract's, not re-typed here.
export { DEMO_SESSION_PATH, type DemoSession };

export interface RequestDemoSessionOptions {
  /** The gateway's base URL; default: this page's origin. */
  gatewayUrl?: string;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

/**
 * Asks a gateway in demo mode for a session and a player token. Gateway
 * errors are rethrown with their FW_ERR_* code; an unreachable gateway is
 * FW_ERR_CONNECTION_CLOSED, a slow one FW_ERR_TIMEOUT. A relative
 * `signalingUrl` (a proxy's rewrite) is resolved against the gateway.
 */
export async function requestDemoSession(options: RequestDemoSessionOptions = {}): Promise<DemoSession> {
  const gatewayUrl = options.gatewayUrl ?? (globalThis as { location?: { origin: string } }).location?.origin;
  if (!gatewayUrl) throw new TypeError('requestDemoSession needs a gatewayUrl outside a page');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const url = new URL(DEMO_SESSION_PATH, gatewayUrl).href;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response: Response;
  let body: unknown;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{}',
      signal: controller.signal,
    });
    body = await response.json().catch(() => undefined);
  } catch (cause) {
    if (controller.signal.aborted) {
      throw new FramewayError('FW_ERR_TIMEOUT', `${url} did not answer within ${timeoutMs} ms`, undefined, { cause });
    }
    throw new FramewayError('FW_ERR_CONNECTION_CLOSED', `${url} could not be reached`, undefined, { cause });
  } finally {
    clearTimeout(timer);
  }
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (!response.ok) {
    const code = isErrorCode(fields.code) ? fields.code : 'FW_ERR_INTERNAL';
    const message = typeof fields.message === 'string' ? fields.message : `${url} answered HTTP ${response.status}`;
    throw new FramewayError(code, message, { status: response.status });
  }
  const { token, sessionId, signalingUrl } = fields;
  if (typeof token !== 'string' || !token || typeof sessionId !== 'string' || typeof signalingUrl !== 'string') {
    throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `${url} did not return { token, sessionId, signalingUrl }`);
  }
  return { token, sessionId, signalingUrl: signalingUrlFor(gatewayUrl, signalingUrl) };
}
