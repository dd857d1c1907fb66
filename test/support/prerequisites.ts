import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AGENT_CLI, GATEWAY_CLI } from '../../scripts/launch.mjs';
import { chromiumPath } from './launchChromium.js';

export type Prerequisite = 'ffmpeg' | 'chromium' | 'build';

/** Names what this machine lacks for a test, so the test can skip and say why. */
export function missingPrerequisites(needs: readonly Prerequisite[]): string[] {
  const missing: string[] = [];
  for (const need of needs) {
    if (need === 'ffmpeg') {
      const bin = process.env.FFMPEG_BIN ?? 'ffmpeg';
      if (spawnSync(bin, ['-version'], { stdio: 'ignore' }).status !== 0) missing.push(`ffmpeg (${bin})`);
    } else if (need === 'chromium') {
      if (!existsSync(chromiumPath())) missing.push(`chromium (${chromiumPath()})`);
    } else if (!existsSync(GATEWAY_CLI) || !existsSync(AGENT_CLI)) {
      missing.push('a build (run `npm run build`)');
    }
  }
  return missing;
}
