import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { eventually, isProcessAlive } from '../../testing/processes.js';
import { findExecutable, tiedCommand } from './spawnTied.js';

describe('tiedCommand', () => {
  it('wraps the program in setpriv (parent-death signal) and prlimit (rlimits), each exec-ing the next', () => {
    const tools = { setpriv: '/usr/bin/setpriv', prlimit: '/usr/bin/prlimit' };
    expect(tiedCommand('ltris', ['-f'], { memoryMiB: 512, openFiles: 1024 }, tools)).toEqual({
      file: '/usr/bin/setpriv',
      args: [
        '--pdeathsig',
        'KILL',
        '--',
        '/usr/bin/prlimit',
        '--core=0',
        `--as=${512 * 1024 * 1024}`,
        '--nofile=1024',
        '--',
        'ltris',
        '-f',
      ],
    });
  });

  it('runs the program directly where the tools are missing', () => {
    expect(tiedCommand('ltris', [], {}, { setpriv: undefined, prlimit: undefined })).toEqual({
      file: 'ltris',
      args: [],
    });
  });

  const setpriv = findExecutable('setpriv');
  if (!setpriv) console.warn('[skip] spawnTied parent-death test: setpriv is not installed (util-linux)');
  it.skipIf(!setpriv)('kills the program when the agent dies, even by SIGKILL', async () => {
    // A stand-in agent that runs the tied command line, then is killed without any chance to clean up.
    const command = tiedCommand('sleep', ['30']);
    const agent = spawn(
      process.execPath,
      [
        '-e',
        `const child = require('node:child_process').spawn(${JSON.stringify(command.file)}, ${JSON.stringify(command.args)}, { stdio: 'ignore' });
         child.once('spawn', () => console.log(child.pid));
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pid = await new Promise<number>((resolve) =>
      agent.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim()))),
    );
    expect(isProcessAlive(pid)).toBe(true);
    agent.kill('SIGKILL');
    await eventually(() => !isProcessAlive(pid), 3_000, 'the tied child to die with its parent');
  });
});
