import { BlockList, isIP } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/**
 * True for loopback peers in any spelling an engine reports: 127.0.0.1,
 * ::1, ::ffff:127.0.0.1, or uWebSockets.js's uncompressed IPv6 text.
 */
export function isLoopbackAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 0) return false;
  return loopback.check(address, version === 6 ? 'ipv6' : 'ipv4');
}
