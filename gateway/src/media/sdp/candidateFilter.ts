import { isIP } from 'node:net';

/**
 * Which ICE host addresses the gateway may use. `undefined` allows every
 * address; a list restricts both the candidates we announce and the pairs we
 * check (e.g. loopback only for a gateway that serves local players).
 */
export class CandidateFilter {
  readonly #allowed: ReadonlySet<string> | undefined;

  constructor(allowedAddresses: readonly string[] | undefined) {
    this.#allowed = allowedAddresses ? new Set(allowedAddresses.map(normalize)) : undefined;
  }

  get restricted(): boolean {
    return this.#allowed !== undefined;
  }

  /** True when a local candidate on `address` may be announced and used. */
  allowsLocal(address: string): boolean {
    return this.#allowed === undefined || this.#allowed.has(normalize(address));
  }

  /** A local candidate on loopback can only reach a remote one on loopback. */
  allowsPair(localAddress: string, remoteAddress: string): boolean {
    if (!this.allowsLocal(localAddress)) return false;
    return !isLoopback(localAddress) || isLoopback(remoteAddress);
  }

  /** Drops `a=candidate` lines whose address is not allowed. */
  filterSdp(sdp: string): string {
    if (!this.#allowed) return sdp;
    const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
    return sdp
      .split(/\r?\n/)
      .filter((line) => {
        const address = candidateAddress(line.replace(/^a=/, ''));
        return address === undefined || this.allowsLocal(address);
      })
      .join(eol);
  }
}

/** The connection address of an ICE candidate line (`candidate:...`), if it is one. */
export function candidateAddress(candidate: string): string | undefined {
  const match = /^candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ /i.exec(candidate.trim());
  return match?.[1];
}

export function isLoopback(address: string): boolean {
  const normalized = normalize(address);
  return normalized === '::1' || normalized.startsWith('127.') || normalized === 'localhost';
}

function normalize(address: string): string {
  const trimmed = address.replace(/^\[|\]$/g, '').toLowerCase();
  return isIP(trimmed) === 6 && trimmed.startsWith('::ffff:') ? trimmed.slice(7) : trimmed;
}
