import { spawn } from 'node:child_process';
import { trackChildProcess } from './trackChildProcess.js';

export interface CommandResult {
  /** Exit code; null when the command was killed or could not start. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started (ENOENT, EACCES). */
  spawnError?: Error;
  timedOut: boolean;
}

/** Runs a command to completion and collects its output; never rejects. */
export type CommandRunner = (file: string, args: readonly string[], timeoutMs: number) => Promise<CommandResult>;

const MAX_OUTPUT_CHARS = 64 * 1024;

/**
 * Runs `file args` without a shell, killing it (SIGKILL) after `timeoutMs`.
 * Output beyond 64 KiB per stream is discarded.
 */
export const runCommand: CommandRunner = (file, args, timeoutMs) =>
  new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChildProcess(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: Error | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_OUTPUT_CHARS) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_OUTPUT_CHARS) stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      spawnError = error;
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut, ...(spawnError ? { spawnError } : {}) });
    });
  });
