import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (100 on every usual Linux). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime: its own CPU and that of the children it has reaped, seconds. */
  cpuS: number;
}

/** Parses one /proc/<pid>/stat line; null when it is not one. */
export function parseProcStat(line: string, ticksPerSecond = TICKS_PER_SECOND): ProcStat | null {
  // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
  const close = line.lastIndexOf(')');
  const pid = Number.parseInt(line, 10);
  if (close < 0 || !Number.isInteger(pid)) return null;
  const fields = line.slice(close + 2).split(' ');
  // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), so indices 1, 11–14 here.
  const ppid = Number(fields[1]);
  const times = fields.slice(11, 15).map(Number);
  if (!Number.isFinite(ppid) || times.length < 4 || !times.every(Number.isFinite)) return null;
  return { pid, ppid, cpuS: times.reduce((s, t) => s + t, 0) / ticksPerSecond };
}

/**
 * CPU seconds used so far by each root process and all its descendants (the
 * agent's ffmpeg encoder counts as the agent's): live ones from their own
 * stat, exited ones through their parent's cutime/cstime once reaped. Reads
 * /proc only: cheap enough to call at the edges of a measured window. A root
 * that is gone reads 0.
 */
export function treeCpuSeconds(roots: readonly number[]): number[] {
  const all: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (stat) all.push(stat);
    } catch {
      // exited while we listed
    }
  }
  const children = new Map<number, ProcStat[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const sum = (pid: number): number =>
    (byPid.get(pid)?.cpuS ?? 0) + (children.get(pid) ?? []).reduce((s, c) => s + sum(c.pid), 0);
  return roots.map(sum);
}
