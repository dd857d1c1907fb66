import { existsSync } from 'node:fs';
import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

/**
 * Flags for the system Chromium in headless CI. WebRTC over loopback needs
 * `--allow-loopback-in-peer-connection` and real host IPs instead of mDNS
 * names; autoplay without a gesture lets the player start its muted video.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];

/** The apt-installed Chromium; playwright's own downloads are never used here. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
}

export interface LaunchedChromium extends AsyncDisposable {
  browser: Browser;
  version: string;
}

/**
 * Launches the system Chromium with the flags above; dispose it to close it.
 * @example await using chrome = await launchChromium();
 */
export async function launchChromium(
  options: { extraArgs?: readonly string[]; launchOptions?: Omit<LaunchOptions, 'executablePath' | 'args'> } = {},
): Promise<LaunchedChromium> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath} (set CHROMIUM_BIN)`);
  }
  const launchOptions: LaunchOptions = {
    ...options.launchOptions,
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
  };
  const browser = await chromium.launch(launchOptions);
  return {
    browser,
    version: browser.version(),
    async [Symbol.asyncDispose]() {
      await browser.close().catch(() => {});
    },
  };
}
