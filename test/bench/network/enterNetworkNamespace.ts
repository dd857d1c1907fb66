import { spawn, spawnSync } from 'node:child_process';

/** Marks the copy of the bench that already runs inside the namespace. */
export const INSIDE_FLAG = '--inside-netns';

export type NamespaceEntry =
  /** This process is inside a fresh namespace with loopback up: run the bench here. */
  | { kind: 'inside' }
  /** The copy inside the namespace ran and exited with this status. */
  | { kind: 'ran'; exitCode: number }
  /** No private namespace on this machine. */
  | { kind: 'skip'; reason: string };

/**
 * Runs `entry` again inside a private network namespace (`unshare -n`), so
 * the packet filter and queueing rules the bench installs reach only the
 * processes it starts: the gateway, the agent, ffmpeg and Chromium all
 * inherit the namespace, talk over its own loopback, and the rules vanish
 * with it when the bench exits, however it exits.
 */
export async function enterNetworkNamespace(entry: string): Promise<NamespaceEntry> {
  if (process.argv.includes(INSIDE_FLAG)) {
    // A new namespace starts with loopback down: nothing, not even 127.0.0.1, is reachable.
    const up = spawnSync('ip', ['link', 'set', 'lo', 'up'], { encoding: 'utf8' });
    if (up.status !== 0) throw new Error(`ip link set lo up failed: ${(up.stderr || up.error?.message) ?? ''}`);
    return { kind: 'inside' };
  }
  const probe = spawnSync('unshare', ['-n', '--', 'true'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.trim();
    return { kind: 'skip', reason: `cannot create a network namespace (unshare -n: ${why}); it needs root` };
  }
  // unshare execs the command itself, so the child is the inner Node and gets the signals directly.
  const child = spawn('unshare', ['-n', '--', process.execPath, ...process.execArgv, entry, INSIDE_FLAG], {
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const exitCode = await new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', () => resolve(1));
  });
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  return { kind: 'ran', exitCode };
}
