import { existsSync } from 'node:fs';
import { BaselineServer } from './baseline/BaselineServer.js';

export const LEG_NAMES = ['baseline', 'baseline-no-playout-delay', 'frameway', 'frameway-untuned', 'x11'] as const;
export type LegName = (typeof LEG_NAMES)[number];

export const LEG_DESCRIPTIONS: Record<LegName, string> = {
  baseline: 'ffmpeg → werift → Chromium, playout-delay 0',
  'baseline-no-playout-delay': 'the same without the playout-delay extension',
  frameway: 'gateway + edge agent (test/support/startFrameway.ts)',
  'frameway-untuned':
    'the same with the player playout tuning off (?lowLatency=0: no jitterBufferTarget/playoutDelayHint, no playout-delay extension, audio and video in one sync group)',
  x11: 'gateway + edge agent, x11 runtime: an X11 program (x11ProbeApp.mjs) on Xvfb, XTEST input, ffmpeg x11grab',
};

/** The x11 leg's program: draws the marker square and changes its colour on every key press. */
const X11_PROBE_APP = new URL('../../../edge-agent/src/runtime/x11/fixtures/x11ProbeApp.mjs', import.meta.url).pathname;

/** What serves one leg's player page for the whole run; every page load is a new session. */
export interface LegHost extends AsyncDisposable {
  url: string;
  /** Server-side counters worth keeping in the results (null when the server exposes none). */
  serverInfo(): unknown;
}

/** The fixture test/support/startFrameway.ts provides (typed here so this compiles before it exists). */
interface FramewayFixture extends AsyncDisposable {
  url: string;
  killAgent(): Promise<void>;
}
type StartFrameway = (options?: {
  port?: number;
  env?: Record<string, string>;
  agentArgs?: string[];
  gatewayArgs?: string[];
}) => Promise<FramewayFixture>;

/** Starts the server behind `name`, or returns why the leg cannot run here. */
export async function startLegHost(name: LegName): Promise<LegHost | { skip: string }> {
  if (name === 'frameway' || name === 'frameway-untuned') {
    const startFrameway = await loadStartFrameway();
    if (typeof startFrameway === 'string') return { skip: startFrameway };
    // Port 0: any free port, so a demo already on 8080 cannot collide with the bench.
    const fixture = await startFrameway({ port: 0 });
    return {
      url: name === 'frameway' ? fixture.url : `${fixture.url}?lowLatency=0`,
      serverInfo: () => null,
      [Symbol.asyncDispose]: () => fixture[Symbol.asyncDispose](),
    };
  }
  if (name === 'x11') {
    const startFrameway = await loadStartFrameway();
    if (typeof startFrameway === 'string') return { skip: startFrameway };
    if (!existsSync('/usr/bin/Xvfb')) return { skip: 'Xvfb is not installed (apt: xvfb)' };
    // What `npm start -- --runtime x11 --cmd "node x11ProbeApp.mjs"` runs.
    const flags = ['--runtime', 'x11', '--cmd', `node ${X11_PROBE_APP}`];
    const fixture = await startFrameway({ port: 0, agentArgs: flags, gatewayArgs: flags });
    return { url: fixture.url, serverInfo: () => null, [Symbol.asyncDispose]: () => fixture[Symbol.asyncDispose]() };
  }
  const baseline = await BaselineServer.start({ playoutDelay: name === 'baseline' });
  return {
    url: baseline.url,
    serverInfo: () => {
      // The SDP text stays out of the results; the negotiation check has its own fields.
      const { answerSdp: _sdp, ...info } = baseline.lastSession ?? { answerSdp: '' };
      return info;
    },
    [Symbol.asyncDispose]: () => baseline.close(),
  };
}

/** The fixture if it exists yet, else the reason the Frameway leg is skipped. */
async function loadStartFrameway(): Promise<StartFrameway | string> {
  const file = new URL('../../support/startFrameway.ts', import.meta.url);
  if (!existsSync(file)) return 'test/support/startFrameway.ts does not exist yet';
  // A computed specifier keeps the compiler from requiring the file today.
  const module = (await import(file.href)) as { startFrameway?: unknown };
  if (typeof module.startFrameway !== 'function') return 'test/support/startFrameway.ts exports no startFrameway()';
  return module.startFrameway as StartFrameway;
}
