import { writeFileSync } from 'node:fs';

/** The authorisation protocol every X server and client library speaks. */
export const MIT_MAGIC_COOKIE = 'MIT-MAGIC-COOKIE-1';
/** Address family that matches any host (what `xauth generate` writes). */
const FAMILY_WILD = 0xffff;

/**
 * One Xauthority entry (libXau format, big-endian): FamilyWild and an empty
 * display number, so it matches whichever display the server picks
 * (`-displayfd`) without knowing it beforehand.
 */
export function encodeXauthorityEntry(cookie: Uint8Array): Buffer {
  const fields = [Buffer.alloc(0), Buffer.alloc(0), Buffer.from(MIT_MAGIC_COOKIE, 'latin1'), Buffer.from(cookie)];
  const family = Buffer.alloc(2);
  family.writeUInt16BE(FAMILY_WILD);
  const parts: Buffer[] = [family];
  for (const field of fields) {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(field.byteLength);
    parts.push(length, field);
  }
  return Buffer.concat(parts);
}

/** Writes an Xauthority file holding `cookie`, readable by the agent's user only. */
export function writeXauthority(path: string, cookie: Uint8Array): void {
  writeFileSync(path, encodeXauthorityEntry(cookie), { mode: 0o600 });
}
