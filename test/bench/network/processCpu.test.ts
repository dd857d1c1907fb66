import { describe, expect, it } from 'vitest';
import { parseProcStat, treeCpuSeconds } from './processCpu.js';

describe('parseProcStat', () => {
  it('reads ppid and CPU time after a command name with spaces and parentheses', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    const line = '4242 (node (gw) x) S 4000 4242 4000 0 -1 4194560 100 0 0 0 250 50 30 20 20 0 11 0 100 0 0';
    expect(parseProcStat(line, 100)).toEqual({ pid: 4242, ppid: 4000, cpuS: 3.5 });
  });

  it('rejects a line that is not a stat line', () => {
    expect(parseProcStat('garbage', 100)).toBeNull();
    expect(parseProcStat('12 (x) S', 100)).toBeNull();
  });
});

describe('treeCpuSeconds', () => {
  it('counts this process, and 0 for a pid that does not exist', () => {
    const [self, none] = treeCpuSeconds([process.pid, 2 ** 22 + 12345]);
    expect(self).toBeGreaterThan(0);
    expect(none).toBe(0);
  });
});
