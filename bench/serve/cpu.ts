/**
 * CPU time per request, to show where the cores go: the server process (every thread: HTTP,
 * inference workers, GC) from /proc/PID/stat, and the load generator (this process) from
 * process.cpuUsage. Linux only; elsewhere the server side reads as NaN.
 */
import { readFileSync } from 'node:fs';

/** Linux reports utime and stime in clock ticks of 10 ms (USER_HZ = 100 on every common kernel). */
const MS_PER_TICK = 10;

function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return Number.NaN;
  }
}

export interface CpuPerRequest {
  /** Microseconds of server CPU (all its threads) per answered request. */
  serverUs: number;
  /** Microseconds of load-generator CPU per answered request. */
  clientUs: number;
}

/** Starts counting; the returned function ends the count over `requests` answers. */
export function countCpu(serverPid: number | undefined): (requests: number) => CpuPerRequest {
  const server = processCpuMs(serverPid);
  const client = process.cpuUsage();
  return (requests) => {
    const used = process.cpuUsage(client);
    return {
      serverUs: ((processCpuMs(serverPid) - server) * 1000) / requests,
      clientUs: (used.user + used.system) / requests,
    };
  };
}
