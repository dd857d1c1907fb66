import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isChildRunning, stopChildProcess } from './stopChildProcess.js';

interface Started {
  child: ChildProcess;
  exited: Promise<void>;
  /** The first line the script printed (it prints once its handlers are installed). */
  firstLine: string;
}

const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (isChildRunning(child)) child.kill('SIGKILL');
});

/** Runs `script` in a fresh node and waits for its first stdout line. */
async function startNode(script: string, detached = false): Promise<Started> {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'], detached });
  started.push(child);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const [firstLine] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line')) as [
    string,
  ];
  return { child, exited, firstLine };
}

/** Gone, or a zombie waiting for a reaper that is not ours. */
function processGone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

describe('stopChildProcess', () => {
  it('stops a child with SIGTERM and resolves once it has exited', async () => {
    const { child, exited } = await startNode("console.log('ready'); setInterval(() => {}, 1000);");
    const onForce = vi.fn();
    await stopChildProcess(child, { exited, graceMs: 5_000, onForce });
    expect(child.signalCode).toBe('SIGTERM');
    expect(isChildRunning(child)).toBe(false);
    expect(onForce).not.toHaveBeenCalled();
  });

  it('SIGKILLs a child that ignores SIGTERM once the grace ran out', async () => {
    const { child, exited } = await startNode(
      "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);",
    );
    const onForce = vi.fn();
    const began = Date.now();
    await stopChildProcess(child, { exited, graceMs: 150, onForce });
    expect(child.signalCode).toBe('SIGKILL');
    expect(onForce).toHaveBeenCalledTimes(1);
    expect(Date.now() - began).toBeGreaterThanOrEqual(140);
  });

  it('continues a stopped child so it acts on SIGTERM instead of waiting for SIGKILL', async () => {
    const { child, exited } = await startNode(
      "process.on('SIGTERM', () => { console.log('term'); process.exit(7); }); console.log('ready'); setInterval(() => {}, 1000);",
    );
    child.kill('SIGSTOP');
    // Without SIGCONT the grace runs out and SIGKILL ends it: no exit code.
    await stopChildProcess(child, { exited, graceMs: 3_000 });
    expect(child.exitCode).toBe(7);
  });

  it('only waits for a child that already exited, signalling nothing', async () => {
    const { child, exited } = await startNode("console.log('ready');");
    await exited;
    const kill = vi.spyOn(child, 'kill');
    await stopChildProcess(child, { exited });
    expect(kill).not.toHaveBeenCalled();
    expect(child.exitCode).toBe(0);
  });

  it('resolves for a child that never started', async () => {
    const child = spawn('/nonexistent/frameway-no-such-program', [], { stdio: 'ignore' });
    child.on('error', () => {});
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    expect(isChildRunning(child)).toBe(false);
    await stopChildProcess(child, { exited });
    expect(child.pid).toBeUndefined();
  });

  it('asks the way it is told (EOF of stdin) instead of signalling', async () => {
    const { child, exited } = await startNode(
      "process.stdin.resume(); process.stdin.on('end', () => process.exit(3)); console.log('ready');",
    );
    await stopChildProcess(child, { exited, ask: () => child.stdin?.end(), graceMs: 10_000 });
    expect(child.exitCode).toBe(3);
    expect(child.signalCode).toBeNull();
  });

  it('signals the whole group and sweeps what the child left behind', async () => {
    // The grandchild ignores SIGTERM; its parent exits on it. The sweep must still kill the grandchild.
    const grandchild = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);";
    const { child, exited, firstLine } = await startNode(
      `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'ignore' });
       c.once('spawn', () => console.log(String(c.pid))); setInterval(() => {}, 1000);`,
      true,
    );
    const grandchildPid = Number(firstLine);
    expect(grandchildPid).toBeGreaterThan(0);
    // Give the grandchild a moment to install its SIGTERM handler.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stopChildProcess(child, { exited, group: true, graceMs: 5_000 });
    expect(child.signalCode).toBe('SIGTERM');
    await vi.waitFor(() => expect(processGone(grandchildPid)).toBe(true), { timeout: 2_000 });
  });
});
