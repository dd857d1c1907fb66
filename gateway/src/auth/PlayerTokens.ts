import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { FramewayError } from '@frameway/protocol';

/** What a player token grants: one session, for one player, until `exp`. */
export interface PlayerTokenClaims {
  /** Session id the token is bound to. */
  sid: string;
  /** Player id as the studio knows it. */
  sub: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat: number;
}

export interface PlayerTokensOptions {
  /** HMAC key, at least 32 bytes. */
  secret: Uint8Array;
  now?: () => number;
}

const TOKEN_VERSION = 'fw1';
const MAX_TOKEN_LENGTH = 2048;

/**
 * Compact signed player tokens: `fw1.<base64url(claims)>.<base64url(hmac-sha256)>`.
 * Opaque to the player; verified by the gateway on the player socket.
 */
export class PlayerTokens {
  readonly #secret: Uint8Array;
  readonly #now: () => number;

  constructor(options: PlayerTokensOptions) {
    if (options.secret.byteLength < 32) throw new Error('player token secret must be at least 32 bytes');
    this.#secret = options.secret;
    this.#now = options.now ?? Date.now;
  }

  static randomSecret(): Uint8Array {
    return randomBytes(32);
  }

  issue(claims: { sid: string; sub: string; ttlSeconds: number }): string {
    const iat = Math.floor(this.#now() / 1000);
    const body: PlayerTokenClaims = { sid: claims.sid, sub: claims.sub, iat, exp: iat + claims.ttlSeconds };
    const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
    return `${TOKEN_VERSION}.${payload}.${this.#sign(payload)}`;
  }

  /** Returns the claims of a genuine, unexpired token; throws FW_ERR_UNAUTHORIZED or FW_ERR_TOKEN_EXPIRED. */
  verify(token: string): PlayerTokenClaims {
    if (token.length > MAX_TOKEN_LENGTH) throw new FramewayError('FW_ERR_UNAUTHORIZED', 'token too long');
    const [version, payload, signature, ...rest] = token.split('.');
    if (version !== TOKEN_VERSION || !payload || !signature || rest.length > 0) {
      throw new FramewayError('FW_ERR_UNAUTHORIZED', 'malformed player token');
    }
    const expected = Buffer.from(this.#sign(payload), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new FramewayError('FW_ERR_UNAUTHORIZED', 'player token signature is invalid');
    }
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new FramewayError('FW_ERR_UNAUTHORIZED', 'player token payload is not JSON');
    }
    if (!isClaims(claims)) throw new FramewayError('FW_ERR_UNAUTHORIZED', 'player token claims are incomplete');
    if (claims.exp * 1000 <= this.#now()) throw new FramewayError('FW_ERR_TOKEN_EXPIRED', 'player token has expired');
    return claims;
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.#secret).update(`${TOKEN_VERSION}.${payload}`).digest('base64url');
  }
}

function isClaims(value: unknown): value is PlayerTokenClaims {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  return (
    typeof claims.sid === 'string' &&
    typeof claims.sub === 'string' &&
    Number.isFinite(claims.exp) &&
    Number.isFinite(claims.iat)
  );
}
