import type { ChildProcess } from 'node:child_process';

export interface StopChildProcessOptions {
  /**
   * Settles once the child is gone (its 'close' event). Made when the child was
   * spawned: a 'close' that already happened would never fire for a new listener.
   */
  exited: Promise<unknown>;
  /** How long the child gets to exit once asked, before SIGKILL. Default 2000 ms. */
  graceMs?: number;
  /**
   * How the child is asked to stop. Default: SIGTERM, then SIGCONT, because a
   * stopped (SIGSTOP) process acts on SIGTERM only once continued. A helper that
   * exits at EOF of its stdin is asked by ending it.
   */
  ask?: () => void;
  /**
   * Signal the child's whole process group (a `detached` child and everything it
   * started). The group is swept with SIGKILL once the child exited, so nothing
   * it left behind outlives it.
   */
  group?: boolean;
  /** Called when the grace ran out, just before SIGKILL (to say the child ignored the request). */
  onForce?: () => void;
}

/** The grace a child gets between the request to stop and SIGKILL, unless told otherwise. */
export const DEFAULT_STOP_GRACE_MS = 2_000;

/** True while `child` was spawned and has not exited (a failed spawn has no pid). */
export function isChildRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/**
 * Stops a child process: asks it to stop (SIGTERM by default), SIGKILLs it if
 * it is still there after the grace, and resolves once `exited` settled. A
 * child that already exited (or never started) is only waited for. Never
 * rejects; the one stopper every agent process goes through, so the steps
 * cannot drift apart.
 *
 * @example await stopChildProcess(ffmpeg, { exited, graceMs: 2_000 })
 */
export async function stopChildProcess(child: ChildProcess, options: StopChildProcessOptions): Promise<void> {
  if (!isChildRunning(child)) {
    await options.exited;
    return;
  }
  const pid = child.pid as number;
  const signal = (name: NodeJS.Signals): void => {
    try {
      if (options.group) process.kill(-pid, name);
      else child.kill(name);
    } catch {
      // Gone already: the group has no member left.
    }
  };
  if (options.ask) options.ask();
  else {
    signal('SIGTERM');
    signal('SIGCONT');
  }
  const killer = setTimeout(() => {
    options.onForce?.();
    signal('SIGKILL');
  }, options.graceMs ?? DEFAULT_STOP_GRACE_MS);
  try {
    await options.exited;
  } finally {
    clearTimeout(killer);
  }
  if (options.group) signal('SIGKILL');
}
