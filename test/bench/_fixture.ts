// scratch stand-in for the lead's test/support/startFrameway.ts
// @ts-nocheck
import { launchFrameway } from '../../scripts/launch.mjs';
export async function startFrameway(options: any = {}) {
  return launchFrameway({
    port: options.port ?? 0,
    env: options.env,
    log: (l: string, s: string) => process.env.FWLOG && console.log(`[${s}] ${l}`),
  });
}
