import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { FramewayError } from '@frameway/protocol';

/** Where the publisher sends, resolved once: the gateway's replies must come from exactly here. */
export interface Peer {
  address: string;
  port: number;
  family: 4 | 6;
}

/** Resolves the RTP target's host; FW_ERR_INVALID_PAYLOAD when it does not resolve. */
export async function resolvePeer(host: string, port: number): Promise<Peer> {
  const literal = isIP(host);
  if (literal !== 0) return { address: canonicalAddress(host), port, family: literal === 6 ? 6 : 4 };
  try {
    const found = await lookup(host);
    return { address: canonicalAddress(found.address), port, family: found.family === 6 ? 6 : 4 };
  } catch (error) {
    throw new FramewayError(
      'FW_ERR_INVALID_PAYLOAD',
      `RTP target host ${JSON.stringify(host)} does not resolve`,
      { host },
      { cause: error },
    );
  }
}

/** One spelling per address, so the gateway's replies match the target whatever form it was given in. */
export function canonicalAddress(address: string): string {
  if (isIP(address) !== 6) return address;
  try {
    return new URL(`udp://[${address}]`).hostname.slice(1, -1);
  } catch {
    return address;
  }
}
