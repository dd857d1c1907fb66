import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

/**
 * Registers a child so it is SIGKILLed if this process exits while the child
 * still runs: no ffmpeg outlives the agent, whatever path the exit takes.
 * (A SIGKILLed agent cannot run this; ffmpeg then exits on EOF of its stdin.)
 */
export function trackChildProcess(child: ChildProcess): void {
  if (!hooked) {
    process.on('exit', killLiveChildren);
    hooked = true;
  }
  live.add(child);
  const forget = () => live.delete(child);
  // 'close' also covers a child that never started (spawn errors emit no 'exit').
  child.once('exit', forget);
  child.once('close', forget);
}

/** How many tracked children have not exited yet. */
export function liveChildCount(): number {
  return live.size;
}

function killLiveChildren(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}
