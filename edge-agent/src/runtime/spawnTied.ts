import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { trackChildProcess } from '../process/trackChildProcess.js';
import type { RuntimeLimits } from './SessionRuntime.js';

/** Which of the wrapper tools exist on this host; looked up once. */
export interface WrapperTools {
  /** util-linux `setpriv`: sets the parent-death signal, then execs. */
  setpriv: string | undefined;
  /** util-linux `prlimit`: sets rlimits, then execs. */
  prlimit: string | undefined;
}

let tools: WrapperTools | undefined;

/** The wrapper tools found on PATH (cached). */
export function wrapperTools(): WrapperTools {
  tools ??= { setpriv: findExecutable('setpriv'), prlimit: findExecutable('prlimit') };
  return tools;
}

/** Absolute path of `name` on PATH (or `name` itself when absolute and executable), else undefined. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = isAbsolute(name)
    ? [name]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The command line that runs `file args` tied to the agent and under
 * `limits`: `setpriv --pdeathsig KILL` makes the kernel kill the child when
 * the agent dies, even by SIGKILL (when no exit hook runs), and `prlimit`
 * applies the rlimits a local process can have. Both exec, so the pid stays
 * the child's own. Tools missing on the host are skipped.
 *
 * Of RuntimeLimits, rlimits can carry `memoryMiB` (address space) and
 * `openFiles`; `cpus` and `pids` need cgroups (the docker runtime applies them).
 */
export function tiedCommand(
  file: string,
  args: readonly string[],
  limits: RuntimeLimits = {},
  available: WrapperTools = wrapperTools(),
): { file: string; args: string[] } {
  let command = [file, ...args];
  const rlimits: string[] = [];
  // Core dumps of a crashing game would fill the node's disk.
  rlimits.push('--core=0');
  if (limits.memoryMiB !== undefined) rlimits.push(`--as=${limits.memoryMiB * 1024 * 1024}`);
  if (limits.openFiles !== undefined) rlimits.push(`--nofile=${limits.openFiles}`);
  if (available.prlimit) command = [available.prlimit, ...rlimits, '--', ...command];
  if (available.setpriv) command = [available.setpriv, '--pdeathsig', 'KILL', '--', ...command];
  const [head, ...rest] = command;
  return { file: head as string, args: rest };
}

/** Spawns `file args` through tiedCommand and tracks it so it dies with the agent whatever the exit path. */
export function spawnTied(
  file: string,
  args: readonly string[],
  options: SpawnOptions & { limits?: RuntimeLimits } = {},
): ChildProcess {
  const { limits, ...spawnOptions } = options;
  const command = tiedCommand(file, args, limits);
  const child = spawn(command.file, command.args, spawnOptions);
  trackChildProcess(child);
  return child;
}
