import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/**
 * The SDK entry (dist/web/frameway.js, what a page that is not ours loads)
 * must stay small: players on phones pay for every kilobyte before the first
 * frame. The QoS signer (viem's secp256k1 and keccak, ~29 KiB gzip) is loaded
 * with import() when the session first binds its key, so it lives in
 * dist/web/chunks/ and is not counted here. Measured when the budget was set:
 * 28.4 KiB gzip; 40 KiB leaves room for small additions.
 */
const BUNDLE_BUDGET_GZIP_BYTES = 40 * 1024;

const bundle = join(import.meta.dirname, '..', 'dist', 'web', 'frameway.js');
const built = existsSync(bundle);
if (!built) console.warn(`[skip] client-sdk bundle size: ${bundle} is missing (run \`npm run build\`)`);

describe.skipIf(!built)('client-sdk bundle', () => {
  it('keeps dist/web/frameway.js within its gzip budget', () => {
    const bytes = readFileSync(bundle);
    const gzip = gzipSync(bytes, { level: 9 }).byteLength;
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(
      `[bundle] frameway.js ${kib(bytes.byteLength)} raw, ${kib(gzip)} gzip (budget ${kib(BUNDLE_BUDGET_GZIP_BYTES)}, ${((gzip / BUNDLE_BUDGET_GZIP_BYTES) * 100).toFixed(0)} % used)`,
    );
    expect(gzip).toBeLessThanOrEqual(BUNDLE_BUDGET_GZIP_BYTES);
  });
});
