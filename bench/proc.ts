/** What every bench section shares: its table row, and a process's memory and CPU read from /proc (Linux). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface BenchRow {
  measure: string;
  value: string;
  target: string;
  ok: string;
}

/** Resident set size from /proc (no ps process per sample), in MB; 0 once the process is gone. */
export function rssMb(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

let clockTicks = 0;
/** utime + stime of a process so far, in ms (/proc/<pid>/stat fields 14 and 15, in clock ticks). */
export function cpuMs(pid: number): number {
  if (!clockTicks) clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may hold spaces: count from after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/** `npx ts-node --transpile-only bench/<part>.ts`: one part alone, its table printed. */
export function runAlone(part: () => Promise<BenchRow[]>): void {
  part().then(
    (rows) => {
      console.table(rows);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/** A process watched from /proc while it works: its CPU since the start, and its peak RSS sampled every `everyMs`. */
export function watchProcess(pid: number, everyMs = 250): { cpuMsSince(): number; stop(): number } {
  const cpu0 = cpuMs(pid);
  let peak = rssMb(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), everyMs);
  return {
    cpuMsSince: () => cpuMs(pid) - cpu0,
    /** Stops sampling; the peak RSS in MB, the last reading included. */
    stop: () => {
      clearInterval(sampler);
      peak = Math.max(peak, rssMb(pid));
      return peak;
    },
  };
}
