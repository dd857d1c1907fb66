import { FramewayError } from '@frameway/protocol';
import { validateRest, WEBHOOK_TOLERANCE_SECONDS, WebhookEvent } from '@frameway/protocol/rest';

export interface VerifyWebhookOptions {
  /** The endpoint's signing secret (`whsec_…`), from POST /v1/webhooks. */
  secret: string;
  /** The `Frameway-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
  header: string | null | undefined;
  /** The raw request body, exactly as received (before any JSON parsing). */
  body: string;
  /** Largest accepted distance between the signature's time and now (default 300 s): stops replays. */
  toleranceSeconds?: number;
  now?: () => number;
}

/**
 * Checks a webhook request and returns its event: HMAC-SHA256 over
 * `<t>.<body>` with the endpoint secret, compared in constant time, with `t`
 * within the tolerance. Throws FW_ERR_UNAUTHORIZED otherwise. WebCrypto only,
 * so it runs in Node, Deno, Workers and browsers alike.
 */
export async function verifyWebhookSignature(options: VerifyWebhookOptions): Promise<WebhookEvent> {
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  const now = (options.now ?? Date.now)() / 1000;
  const fields = new Map<string, string>();
  for (const part of (options.header ?? '').split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const t = Number(fields.get('t'));
  const v1 = fields.get('v1') ?? '';
  if (!Number.isSafeInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) {
    throw new FramewayError('FW_ERR_UNAUTHORIZED', 'the webhook signature header is missing or malformed');
  }
  if (Math.abs(now - t) > tolerance) {
    throw new FramewayError('FW_ERR_UNAUTHORIZED', 'the webhook signature is outside the replay window', { t });
  }
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(options.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const signature = Uint8Array.from(v1.match(/../g)!.map((byte) => Number.parseInt(byte, 16)));
  // crypto.subtle.verify compares in constant time.
  const genuine = await crypto.subtle.verify('HMAC', key, signature, encoder.encode(`${t}.${options.body}`));
  if (!genuine) throw new FramewayError('FW_ERR_UNAUTHORIZED', 'the webhook signature does not match the body');
  let event: unknown;
  try {
    event = JSON.parse(options.body);
  } catch {
    throw new FramewayError('FW_ERR_INVALID_PAYLOAD', 'the webhook body is not JSON');
  }
  const checked = validateRest(WebhookEvent, event);
  if (!checked.ok) {
    throw new FramewayError('FW_ERR_INVALID_PAYLOAD', 'the webhook body is not a Frameway event', {
      issues: checked.issues,
    });
  }
  return checked.value;
}
